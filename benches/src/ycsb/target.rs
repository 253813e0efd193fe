//! What a YCSB run can be pointed at. A [`Connector`] stands for one system under test and
//! gives each worker thread its own [`Target`] (its own connection, for servers).
//!
//! The item-API systems (embedded engine, engine plus cache, binary protocol, any DynamoDB
//! HTTP endpoint) share one [`ItemTarget`], which builds the requests and checks the answers;
//! they differ only in how a request travels ([`Calls`]). Key-value engines (Tessera's LSM
//! store, and RocksDB and fjall with the `compare` feature) run the same operations on
//! values that hold every field, as YCSB's RocksDB binding does.

use crate::engine::BenchEngine;
use crate::http::HttpConn;
use serde_json::{json, Value};
use std::sync::Arc;
use tessera_engine::api::{
    ApiError, AttributeDefinition, BillingMode, CreateTableInput, DescribeTableInput, GetItemInput,
    GetItemOutput, ItemApi, KeySchemaElement, KeyType, PutItemInput, QueryOutput, ScanInput,
    UpdateItemInput,
};
use tessera_engine::model::{AttributeValue, Item, ScalarType};
use tessera_server::binary::frame::Layer;
use tessera_server::client::{Client, ClientError};
use tessera_server::wire::value::{from_json, to_json};

/// The key attribute of the YCSB table.
pub const KEY_ATTRIBUTE: &str = "id";

/// Why one operation failed: DynamoDB's exception name (or a name of ours such as
/// `ItemNotFound`) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    /// `ValidationException`, `ProvisionedThroughputExceededException`, `ItemNotFound`, ...
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

impl OpError {
    /// An error of `kind`.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        OpError {
            kind: kind.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl From<ApiError> for OpError {
    fn from(e: ApiError) -> Self {
        OpError::new(e.error_type(), e.message())
    }
}

impl From<ClientError> for OpError {
    fn from(e: ClientError) -> Self {
        match &e {
            ClientError::Service(body) => OpError::new(&body.error_type, body.message.clone()),
            _ => OpError::new("ClientError", e.to_string()),
        }
    }
}

/// The result of one operation.
pub type OpResult = Result<(), OpError>;

/// One worker's handle on the system under test.
pub trait Target: Send {
    /// Reads record `key` whole; a missing record is an `ItemNotFound` error.
    fn read(&mut self, key: &str) -> OpResult;
    /// Sets field `field` of record `key` to `value`.
    fn update(&mut self, key: &str, field: usize, value: &str) -> OpResult;
    /// Writes record `key` with `fields` as its field values.
    fn insert(&mut self, key: &str, fields: &[&str]) -> OpResult;
    /// Reads up to `count` records in table order after `start`.
    fn scan(&mut self, start: &str, count: usize) -> OpResult;
}

/// One system under test.
pub trait Connector: Sync {
    /// A one-line description for reports, e.g. `binary protocol (engine layer) at ...`.
    fn describe(&self) -> String;
    /// Creates the table (if absent) and waits until it can be used.
    fn prepare(&self, table: &str) -> Result<(), OpError>;
    /// A target for one worker thread.
    fn connect(&self, table: &str, fields: usize) -> Result<Box<dyn Target + '_>, OpError>;
}

/// The name of field `i`.
pub fn field_name(i: usize) -> String {
    format!("field{i}")
}

/// How item-API requests travel to the system under test.
pub trait Calls {
    /// GetItem.
    fn get_item(&mut self, input: GetItemInput) -> Result<Option<Item>, OpError>;
    /// PutItem.
    fn put_item(&mut self, input: PutItemInput) -> OpResult;
    /// UpdateItem.
    fn update_item(&mut self, input: UpdateItemInput) -> OpResult;
    /// Scan; returns how many items came back.
    fn scan(&mut self, input: ScanInput) -> Result<usize, OpError>;
    /// CreateTable; a table that already exists is not an error.
    fn create_table(&mut self, input: CreateTableInput) -> OpResult;
    /// The table's status (`ACTIVE`, `CREATING`, ...).
    fn table_status(&mut self, table: &str) -> Result<String, OpError>;
}

/// The YCSB table: partition key `id` (S), on demand.
pub fn create_table_input(table: &str) -> CreateTableInput {
    CreateTableInput {
        table_name: table.to_owned(),
        key_schema: vec![KeySchemaElement::new(KEY_ATTRIBUTE, KeyType::Hash)],
        attribute_definitions: vec![AttributeDefinition::new(KEY_ATTRIBUTE, ScalarType::S)],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// Creates `table` through `calls` and waits (up to a minute) for it to be `ACTIVE`.
pub fn prepare_table(calls: &mut dyn Calls, table: &str) -> OpResult {
    calls.create_table(create_table_input(table))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let status = calls.table_status(table)?;
        if status == "ACTIVE" {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(OpError::new(
                "TableNotActive",
                format!("table {table} still {status} after 60 s"),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The item-API target: builds YCSB's requests and checks the answers, whatever carries them.
pub struct ItemTarget<C> {
    calls: C,
    table: String,
    fields: usize,
    names: Vec<String>,
}

impl<C: Calls> ItemTarget<C> {
    /// A target on `table`, whose records have `fields` fields.
    pub fn new(calls: C, table: &str, fields: usize) -> Self {
        ItemTarget {
            calls,
            table: table.to_owned(),
            fields,
            names: (0..fields).map(field_name).collect(),
        }
    }

    fn key(key: &str) -> Item {
        Item::from([(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(key.to_owned()))])
    }
}

impl<C: Calls + Send> Target for ItemTarget<C> {
    fn read(&mut self, key: &str) -> OpResult {
        let item = self.calls.get_item(GetItemInput {
            table_name: self.table.clone(),
            key: Self::key(key),
            ..Default::default()
        })?;
        match item {
            None => Err(OpError::new("ItemNotFound", format!("no item {key}"))),
            Some(item) if item.len() != self.fields + 1 => Err(OpError::new(
                "WrongItem",
                format!("item {key} has {} attributes", item.len()),
            )),
            Some(_) => Ok(()),
        }
    }

    fn update(&mut self, key: &str, field: usize, value: &str) -> OpResult {
        let name = self
            .names
            .get(field)
            .cloned()
            .unwrap_or_else(|| field_name(field));
        self.calls.update_item(UpdateItemInput {
            table_name: self.table.clone(),
            key: Self::key(key),
            update_expression: Some("SET #f = :v".to_owned()),
            expression_attribute_names: Some([("#f".to_owned(), name)].into()),
            expression_attribute_values: Some(
                [(":v".to_owned(), AttributeValue::S(value.to_owned()))].into(),
            ),
            ..Default::default()
        })
    }

    fn insert(&mut self, key: &str, fields: &[&str]) -> OpResult {
        let mut item = Self::key(key);
        for (name, value) in self.names.iter().zip(fields) {
            item.insert(name.clone(), AttributeValue::S((*value).to_owned()));
        }
        self.calls.put_item(PutItemInput {
            table_name: self.table.clone(),
            item,
            ..Default::default()
        })
    }

    fn scan(&mut self, start: &str, count: usize) -> OpResult {
        let limit = i64::try_from(count).unwrap_or(i64::MAX);
        self.calls
            .scan(ScanInput {
                table_name: self.table.clone(),
                exclusive_start_key: Some(Self::key(start)),
                limit: Some(limit),
                ..Default::default()
            })
            .map(|_| ())
    }
}

/// Requests straight into an in-process [`ItemApi`]: the embedded engine, or the cache over
/// it.
pub struct Local<A: ?Sized>(pub Arc<A>);

impl<A: ItemApi + ?Sized> Calls for Local<A> {
    fn get_item(&mut self, input: GetItemInput) -> Result<Option<Item>, OpError> {
        Ok(self.0.get_item(input)?.item)
    }
    fn put_item(&mut self, input: PutItemInput) -> OpResult {
        self.0.put_item(input).map(|_| ()).map_err(Into::into)
    }
    fn update_item(&mut self, input: UpdateItemInput) -> OpResult {
        self.0.update_item(input).map(|_| ()).map_err(Into::into)
    }
    fn scan(&mut self, input: ScanInput) -> Result<usize, OpError> {
        Ok(scanned(self.0.scan(input)?))
    }
    fn create_table(&mut self, input: CreateTableInput) -> OpResult {
        match self.0.create_table(input) {
            Ok(_) | Err(ApiError::ResourceInUse(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
    fn table_status(&mut self, table: &str) -> Result<String, OpError> {
        let out = self.0.describe_table(DescribeTableInput {
            table_name: table.to_owned(),
        })?;
        Ok(out.table.table_status.as_str().to_owned())
    }
}

fn scanned(out: QueryOutput) -> usize {
    out.items.map_or(0, |items| items.len())
}

/// The in-process connector: every worker calls the same [`ItemApi`] object.
pub struct LocalConnector<A: ?Sized> {
    api: Arc<A>,
    description: String,
}

impl<A: ItemApi + ?Sized + Send + Sync> LocalConnector<A> {
    /// A connector calling `api`, described as `description` in reports.
    pub fn new(api: Arc<A>, description: impl Into<String>) -> Self {
        LocalConnector {
            api,
            description: description.into(),
        }
    }
}

impl<A: ItemApi + ?Sized + Send + Sync> Connector for LocalConnector<A> {
    fn describe(&self) -> String {
        self.description.clone()
    }
    fn prepare(&self, table: &str) -> OpResult {
        prepare_table(&mut Local(Arc::clone(&self.api)), table)
    }
    fn connect(&self, table: &str, fields: usize) -> Result<Box<dyn Target + '_>, OpError> {
        Ok(Box::new(ItemTarget::new(
            Local(Arc::clone(&self.api)),
            table,
            fields,
        )))
    }
}

/// A current-thread runtime per worker: the worker's connection is driven on the worker's
/// own thread, so no request crosses threads on its way out or back.
fn runtime() -> Result<tokio::runtime::Runtime, OpError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OpError::new("Runtime", e.to_string()))
}

/// Requests over the binary protocol, one connection per worker.
pub struct Binary {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Binary {
    /// Connects to the binary protocol at `addr`, served by `layer`.
    pub fn connect(addr: &str, layer: Layer) -> Result<Self, OpError> {
        let runtime = runtime()?;
        let client = runtime.block_on(Client::builder(addr).layer(layer).connect())?;
        Ok(Binary { runtime, client })
    }
}

impl Calls for Binary {
    fn get_item(&mut self, input: GetItemInput) -> Result<Option<Item>, OpError> {
        let out: GetItemOutput = self.runtime.block_on(self.client.get_item(input))?;
        Ok(out.item)
    }
    fn put_item(&mut self, input: PutItemInput) -> OpResult {
        self.runtime.block_on(self.client.put_item(input))?;
        Ok(())
    }
    fn update_item(&mut self, input: UpdateItemInput) -> OpResult {
        self.runtime.block_on(self.client.update_item(input))?;
        Ok(())
    }
    fn scan(&mut self, input: ScanInput) -> Result<usize, OpError> {
        Ok(scanned(self.runtime.block_on(self.client.scan(input))?))
    }
    fn create_table(&mut self, input: CreateTableInput) -> OpResult {
        match self.runtime.block_on(self.client.create_table(input)) {
            Ok(_) => Ok(()),
            Err(e) if e.error_type() == Some("ResourceInUseException") => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
    fn table_status(&mut self, table: &str) -> Result<String, OpError> {
        let out = self
            .runtime
            .block_on(self.client.describe_table(DescribeTableInput {
                table_name: table.to_owned(),
            }))?;
        Ok(out.table.table_status.as_str().to_owned())
    }
}

/// The binary-protocol connector.
pub struct BinaryConnector {
    /// `host:port` of the binary protocol.
    pub addr: String,
    /// The layer that serves the calls.
    pub layer: Layer,
}

impl Connector for BinaryConnector {
    fn describe(&self) -> String {
        let layer = match self.layer {
            Layer::Cache => "cache",
            Layer::Engine => "engine",
        };
        format!("Tessera binary protocol, {layer} layer, at {}", self.addr)
    }
    fn prepare(&self, table: &str) -> OpResult {
        prepare_table(&mut Binary::connect(&self.addr, self.layer)?, table)
    }
    fn connect(&self, table: &str, fields: usize) -> Result<Box<dyn Target + '_>, OpError> {
        let calls = Binary::connect(&self.addr, self.layer)?;
        Ok(Box::new(ItemTarget::new(calls, table, fields)))
    }
}

/// Requests as DynamoDB's JSON over HTTP, one keep-alive connection per worker; any
/// DynamoDB-compatible endpoint will do.
pub struct Http {
    runtime: tokio::runtime::Runtime,
    conn: HttpConn,
}

impl Http {
    /// A connection (opened on first use) to `endpoint`.
    pub fn connect(endpoint: &str) -> Result<Self, OpError> {
        Ok(Http {
            runtime: runtime()?,
            conn: HttpConn::new(endpoint),
        })
    }

    /// Sends one request and returns the decoded answer, or DynamoDB's error from its body.
    fn call(&mut self, operation: &str, body: &Value) -> Result<Value, OpError> {
        let body = body.to_string();
        let (status, answer) = self
            .runtime
            .block_on(self.conn.call(operation, body.as_bytes()))
            .map_err(|e| OpError::new("HttpError", format!("{e:#}")))?;
        let json: Value = serde_json::from_slice(answer).map_err(|e| {
            OpError::new(
                "HttpError",
                format!("status {status}, body is not JSON: {e}"),
            )
        })?;
        if status == 200 {
            return Ok(json);
        }
        let kind = json["__type"]
            .as_str()
            .map_or("HttpError", |t| t.rsplit('#').next().unwrap_or(t));
        let message = json["message"]
            .as_str()
            .or_else(|| json["Message"].as_str())
            .unwrap_or("");
        Err(OpError::new(kind, format!("status {status}: {message}")))
    }
}

fn item_json(item: &Item) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

fn item_from_json(json: &Value) -> Result<Item, OpError> {
    let Some(map) = json.as_object() else {
        return Err(OpError::new("HttpError", "Item is not an object"));
    };
    map.iter()
        .map(|(k, v)| {
            from_json(v)
                .map(|v| (k.clone(), v))
                .map_err(|e| OpError::new("HttpError", format!("attribute {k}: {e:?}")))
        })
        .collect()
}

impl Calls for Http {
    fn get_item(&mut self, input: GetItemInput) -> Result<Option<Item>, OpError> {
        let out = self.call(
            "GetItem",
            &json!({ "TableName": input.table_name, "Key": item_json(&input.key) }),
        )?;
        out.get("Item").map(item_from_json).transpose()
    }
    fn put_item(&mut self, input: PutItemInput) -> OpResult {
        self.call(
            "PutItem",
            &json!({ "TableName": input.table_name, "Item": item_json(&input.item) }),
        )
        .map(|_| ())
    }
    fn update_item(&mut self, input: UpdateItemInput) -> OpResult {
        let values: serde_json::Map<String, Value> = input
            .expression_attribute_values
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect();
        self.call(
            "UpdateItem",
            &json!({
                "TableName": input.table_name,
                "Key": item_json(&input.key),
                "UpdateExpression": input.update_expression,
                "ExpressionAttributeNames": input.expression_attribute_names,
                "ExpressionAttributeValues": values,
            }),
        )
        .map(|_| ())
    }
    fn scan(&mut self, input: ScanInput) -> Result<usize, OpError> {
        let mut body = json!({ "TableName": input.table_name, "Limit": input.limit });
        if let Some(start) = &input.exclusive_start_key {
            body["ExclusiveStartKey"] = item_json(start);
        }
        let out = self.call("Scan", &body)?;
        Ok(out["Items"].as_array().map_or(0, Vec::len))
    }
    fn create_table(&mut self, input: CreateTableInput) -> OpResult {
        let body = json!({
            "TableName": input.table_name,
            "KeySchema": [{ "AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH" }],
            "AttributeDefinitions": [{ "AttributeName": KEY_ATTRIBUTE, "AttributeType": "S" }],
            "BillingMode": "PAY_PER_REQUEST",
        });
        match self.call("CreateTable", &body) {
            Ok(_) => Ok(()),
            Err(e) if e.kind == "ResourceInUseException" => Ok(()),
            Err(e) => Err(e),
        }
    }
    fn table_status(&mut self, table: &str) -> Result<String, OpError> {
        let out = self.call("DescribeTable", &json!({ "TableName": table }))?;
        Ok(out["Table"]["TableStatus"]
            .as_str()
            .unwrap_or("UNKNOWN")
            .to_owned())
    }
}

/// The HTTP connector: any DynamoDB endpoint.
pub struct HttpConnector {
    /// `http://host:port` or `host:port`.
    pub endpoint: String,
}

impl Connector for HttpConnector {
    fn describe(&self) -> String {
        format!("DynamoDB HTTP API at {}", self.endpoint)
    }
    fn prepare(&self, table: &str) -> OpResult {
        prepare_table(&mut Http::connect(&self.endpoint)?, table)
    }
    fn connect(&self, table: &str, fields: usize) -> Result<Box<dyn Target + '_>, OpError> {
        Ok(Box::new(ItemTarget::new(
            Http::connect(&self.endpoint)?,
            table,
            fields,
        )))
    }
}

/// Partitions the key-value engines spread records over (Tessera's store routes partitions
/// to shards; the others prefix keys with them), so scans stay within one partition.
const KV_PARTITIONS: u64 = 16;

/// A key-value engine: records are values holding every field, fixed-width.
pub struct KvConnector {
    engine: Box<dyn BenchEngine>,
    partitions: Vec<Vec<u8>>,
    field_length: usize,
    /// Removed after the run (with the engine's files), unless the caller keeps it.
    _dir: Option<tempfile::TempDir>,
}

impl KvConnector {
    /// A connector over `engine`, whose records have fields of `field_length` bytes; `dir`
    /// is dropped (and so removed) with the connector.
    pub fn new(
        engine: Box<dyn BenchEngine>,
        field_length: usize,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        KvConnector {
            engine,
            partitions: (0..KV_PARTITIONS)
                .map(|p| format!("p{p:02}").into_bytes())
                .collect(),
            field_length,
            _dir: dir,
        }
    }
}

impl Connector for KvConnector {
    fn describe(&self) -> String {
        format!("{} key-value engine, in-process", self.engine.name())
    }
    fn prepare(&self, _table: &str) -> OpResult {
        Ok(())
    }
    fn connect(&self, _table: &str, fields: usize) -> Result<Box<dyn Target + '_>, OpError> {
        Ok(Box::new(KvTarget {
            connector: self,
            fields,
        }))
    }
}

/// One worker on a key-value engine.
struct KvTarget<'a> {
    connector: &'a KvConnector,
    fields: usize,
}

impl KvTarget<'_> {
    fn partition(&self, key: &str) -> &[u8] {
        let hash = key
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let p = &self.connector.partitions;
        &p[(hash % p.len() as u64) as usize]
    }

    fn engine_error(e: crate::Error) -> OpError {
        OpError::new("EngineError", e.to_string())
    }
}

impl Target for KvTarget<'_> {
    fn read(&mut self, key: &str) -> OpResult {
        let found = self
            .connector
            .engine
            .get(self.partition(key), key.as_bytes())
            .map_err(Self::engine_error)?;
        match found {
            None => Err(OpError::new("ItemNotFound", format!("no record {key}"))),
            Some(v) if v.len() != self.fields * self.connector.field_length => Err(OpError::new(
                "WrongItem",
                format!("record {key} has {} bytes", v.len()),
            )),
            Some(_) => Ok(()),
        }
    }

    fn update(&mut self, key: &str, field: usize, value: &str) -> OpResult {
        let engine = &self.connector.engine;
        let partition = self.partition(key);
        let mut record = engine
            .get(partition, key.as_bytes())
            .map_err(Self::engine_error)?
            .unwrap_or_else(|| vec![b' '; self.fields * self.connector.field_length]);
        let at = field * self.connector.field_length;
        if let Some(slot) = record.get_mut(at..at + value.len()) {
            slot.copy_from_slice(value.as_bytes());
        }
        engine
            .put(partition, key.as_bytes(), &record)
            .map_err(Self::engine_error)
    }

    fn insert(&mut self, key: &str, fields: &[&str]) -> OpResult {
        let record: Vec<u8> = fields.iter().flat_map(|f| f.bytes()).collect();
        self.connector
            .engine
            .put(self.partition(key), key.as_bytes(), &record)
            .map_err(Self::engine_error)
    }

    fn scan(&mut self, start: &str, count: usize) -> OpResult {
        self.connector
            .engine
            .seek_n(self.partition(start), start.as_bytes(), count)
            .map(|_| ())
            .map_err(Self::engine_error)
    }
}

impl std::error::Error for OpError {}
