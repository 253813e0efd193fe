//! DynamoDB's JSON wire format: requests decoded into the engine's request types, responses
//! and errors encoded back. This is the only place that knows the JSON shapes.

use tessera_engine::api::*;

/// Every operation the server answers, with its decoded request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// CreateTable.
    CreateTable(CreateTableInput),
    /// DescribeTable.
    DescribeTable(DescribeTableInput),
    /// ListTables.
    ListTables(ListTablesInput),
    /// UpdateTable.
    UpdateTable(UpdateTableInput),
    /// DeleteTable.
    DeleteTable(DeleteTableInput),
    /// PutItem.
    PutItem(PutItemInput),
    /// GetItem.
    GetItem(GetItemInput),
    /// UpdateItem.
    UpdateItem(UpdateItemInput),
    /// DeleteItem.
    DeleteItem(DeleteItemInput),
    /// Query.
    Query(QueryInput),
    /// Scan.
    Scan(ScanInput),
    /// BatchGetItem.
    BatchGetItem(BatchGetItemInput),
    /// BatchWriteItem.
    BatchWriteItem(BatchWriteItemInput),
    /// TransactWriteItems.
    TransactWriteItems(TransactWriteItemsInput),
    /// TransactGetItems.
    TransactGetItems(TransactGetItemsInput),
}

/// The response of each operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// CreateTable.
    CreateTable(CreateTableOutput),
    /// DescribeTable.
    DescribeTable(DescribeTableOutput),
    /// ListTables.
    ListTables(ListTablesOutput),
    /// UpdateTable.
    UpdateTable(UpdateTableOutput),
    /// DeleteTable.
    DeleteTable(DeleteTableOutput),
    /// PutItem.
    PutItem(PutItemOutput),
    /// GetItem.
    GetItem(GetItemOutput),
    /// UpdateItem.
    UpdateItem(UpdateItemOutput),
    /// DeleteItem.
    DeleteItem(DeleteItemOutput),
    /// Query.
    Query(QueryOutput),
    /// Scan.
    Scan(ScanOutput),
    /// BatchGetItem.
    BatchGetItem(BatchGetItemOutput),
    /// BatchWriteItem.
    BatchWriteItem(BatchWriteItemOutput),
    /// TransactWriteItems.
    TransactWriteItems(TransactWriteItemsOutput),
    /// TransactGetItems.
    TransactGetItems(TransactGetItemsOutput),
}

mod decode;
mod encode;
mod error;
mod reader;
pub mod value;
mod writer;

pub use decode::decode_request;
pub use encode::encode_response;
pub use error::{error_response, wire_error_response, WireError};
