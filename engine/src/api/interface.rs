//! [`ItemApi`]: the operations interface every layer implements: the embedded
//! [`crate::Database`], the cache (which wraps any `ItemApi`), and whatever stacks on them.
//! The server calls its layers only through this trait, so a request means the same thing
//! whichever layer answers it.

use super::*;
use std::sync::Arc;

/// DynamoDB's operations, each taking its request and returning its response or DynamoDB's
/// error. Implementations are shared between threads and called concurrently.
pub trait ItemApi: Send + Sync {
    /// CreateTable.
    fn create_table(&self, input: CreateTableInput) -> ApiResult<CreateTableOutput>;
    /// DescribeTable.
    fn describe_table(&self, input: DescribeTableInput) -> ApiResult<DescribeTableOutput>;
    /// ListTables.
    fn list_tables(&self, input: ListTablesInput) -> ApiResult<ListTablesOutput>;
    /// UpdateTable.
    fn update_table(&self, input: UpdateTableInput) -> ApiResult<UpdateTableOutput>;
    /// DeleteTable.
    fn delete_table(&self, input: DeleteTableInput) -> ApiResult<DeleteTableOutput>;
    /// PutItem.
    fn put_item(&self, input: PutItemInput) -> ApiResult<PutItemOutput>;
    /// GetItem.
    fn get_item(&self, input: GetItemInput) -> ApiResult<GetItemOutput>;
    /// UpdateItem.
    fn update_item(&self, input: UpdateItemInput) -> ApiResult<UpdateItemOutput>;
    /// DeleteItem.
    fn delete_item(&self, input: DeleteItemInput) -> ApiResult<DeleteItemOutput>;
    /// Query.
    fn query(&self, input: QueryInput) -> ApiResult<QueryOutput>;
    /// Scan.
    fn scan(&self, input: ScanInput) -> ApiResult<ScanOutput>;
    /// BatchGetItem.
    fn batch_get_item(&self, input: BatchGetItemInput) -> ApiResult<BatchGetItemOutput>;
    /// BatchWriteItem.
    fn batch_write_item(&self, input: BatchWriteItemInput) -> ApiResult<BatchWriteItemOutput>;
    /// TransactWriteItems.
    fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> ApiResult<TransactWriteItemsOutput>;
    /// TransactGetItems.
    fn transact_get_items(&self, input: TransactGetItemsInput)
        -> ApiResult<TransactGetItemsOutput>;
}

/// Forwards every operation to `$target` (an expression of `self`; for `Database`, `self`
/// itself, whose inherent methods take precedence over the trait's).
macro_rules! forward_item_api {
    ($self:ident => $target:expr) => {
        fn create_table(&$self, i: CreateTableInput) -> ApiResult<CreateTableOutput> { $target.create_table(i) }
        fn describe_table(&$self, i: DescribeTableInput) -> ApiResult<DescribeTableOutput> { $target.describe_table(i) }
        fn list_tables(&$self, i: ListTablesInput) -> ApiResult<ListTablesOutput> { $target.list_tables(i) }
        fn update_table(&$self, i: UpdateTableInput) -> ApiResult<UpdateTableOutput> { $target.update_table(i) }
        fn delete_table(&$self, i: DeleteTableInput) -> ApiResult<DeleteTableOutput> { $target.delete_table(i) }
        fn put_item(&$self, i: PutItemInput) -> ApiResult<PutItemOutput> { $target.put_item(i) }
        fn get_item(&$self, i: GetItemInput) -> ApiResult<GetItemOutput> { $target.get_item(i) }
        fn update_item(&$self, i: UpdateItemInput) -> ApiResult<UpdateItemOutput> { $target.update_item(i) }
        fn delete_item(&$self, i: DeleteItemInput) -> ApiResult<DeleteItemOutput> { $target.delete_item(i) }
        fn query(&$self, i: QueryInput) -> ApiResult<QueryOutput> { $target.query(i) }
        fn scan(&$self, i: ScanInput) -> ApiResult<ScanOutput> { $target.scan(i) }
        fn batch_get_item(&$self, i: BatchGetItemInput) -> ApiResult<BatchGetItemOutput> { $target.batch_get_item(i) }
        fn batch_write_item(&$self, i: BatchWriteItemInput) -> ApiResult<BatchWriteItemOutput> { $target.batch_write_item(i) }
        fn transact_write_items(&$self, i: TransactWriteItemsInput) -> ApiResult<TransactWriteItemsOutput> { $target.transact_write_items(i) }
        fn transact_get_items(&$self, i: TransactGetItemsInput) -> ApiResult<TransactGetItemsOutput> { $target.transact_get_items(i) }
    };
}

#[rustfmt::skip]
impl ItemApi for crate::Database {
    forward_item_api!(self => self);
}

#[rustfmt::skip]
impl<T: ItemApi + ?Sized> ItemApi for Arc<T> {
    forward_item_api!(self => (**self));
}
