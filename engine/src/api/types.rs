//! Shapes shared by several operations: key schemas, throughput, indexes, table descriptions.
//! Names follow DynamoDB's API (and the AWS SDK for Rust) in snake case.

use crate::model::ScalarType;

/// `HASH` (partition key) or `RANGE` (sort key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyType {
    /// The partition key.
    #[default]
    Hash,
    /// The sort key.
    Range,
}

impl KeyType {
    /// DynamoDB's name: `HASH` or `RANGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Hash => "HASH",
            KeyType::Range => "RANGE",
        }
    }
}

/// One element of a `KeySchema`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeySchemaElement {
    /// The key attribute.
    pub attribute_name: String,
    /// Its role.
    pub key_type: KeyType,
}

impl KeySchemaElement {
    /// A key schema element.
    pub fn new(attribute_name: impl Into<String>, key_type: KeyType) -> Self {
        KeySchemaElement {
            attribute_name: attribute_name.into(),
            key_type,
        }
    }
}

/// One element of `AttributeDefinitions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDefinition {
    /// The attribute.
    pub attribute_name: String,
    /// S, N or B.
    pub attribute_type: ScalarType,
}

impl AttributeDefinition {
    /// An attribute definition.
    pub fn new(attribute_name: impl Into<String>, attribute_type: ScalarType) -> Self {
        AttributeDefinition {
            attribute_name: attribute_name.into(),
            attribute_type,
        }
    }
}

/// `PROVISIONED` or `PAY_PER_REQUEST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BillingMode {
    /// Provisioned capacity (DynamoDB's default).
    #[default]
    Provisioned,
    /// On-demand.
    PayPerRequest,
}

impl BillingMode {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

/// Requested read and write capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProvisionedThroughput {
    /// Read capacity units.
    pub read_capacity_units: i64,
    /// Write capacity units.
    pub write_capacity_units: i64,
}

/// Capacity as DescribeTable reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProvisionedThroughputDescription {
    /// Read capacity units (0 on-demand).
    pub read_capacity_units: i64,
    /// Write capacity units (0 on-demand).
    pub write_capacity_units: i64,
    /// Decreases so far this UTC day.
    pub number_of_decreases_today: i64,
    /// Last increase, in epoch seconds.
    pub last_increase_date_time: Option<f64>,
    /// Last decrease, in epoch seconds.
    pub last_decrease_date_time: Option<f64>,
}

/// The billing mode and when it last changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BillingModeSummary {
    /// The mode.
    pub billing_mode: BillingMode,
    /// When the table last switched to on-demand, in epoch seconds.
    pub last_update_to_pay_per_request_date_time: Option<f64>,
}

/// What a stream records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamViewType {
    /// Only the key attributes.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both images.
    NewAndOldImages,
}

impl StreamViewType {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamViewType::KeysOnly => "KEYS_ONLY",
            StreamViewType::NewImage => "NEW_IMAGE",
            StreamViewType::OldImage => "OLD_IMAGE",
            StreamViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// Whether the table has a stream, and of what.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamSpecification {
    /// Stream on or off.
    pub stream_enabled: bool,
    /// Required when enabled.
    pub stream_view_type: Option<StreamViewType>,
}

/// Which attributes an index carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectionType {
    /// Every attribute.
    #[default]
    All,
    /// Only table and index keys.
    KeysOnly,
    /// Keys plus `non_key_attributes`.
    Include,
}

impl ProjectionType {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectionType::All => "ALL",
            ProjectionType::KeysOnly => "KEYS_ONLY",
            ProjectionType::Include => "INCLUDE",
        }
    }
}

/// An index's projection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    /// The projection type; DynamoDB requires it.
    pub projection_type: Option<ProjectionType>,
    /// Attributes copied into the index for `INCLUDE`.
    pub non_key_attributes: Option<Vec<String>>,
}

/// A global secondary index as CreateTable takes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GlobalSecondaryIndex {
    /// Index name.
    pub index_name: String,
    /// The index's key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Attributes it carries.
    pub projection: Projection,
    /// Its own capacity (provisioned tables).
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// A local secondary index as CreateTable takes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalSecondaryIndex {
    /// Index name.
    pub index_name: String,
    /// The index's key: the table's partition key and another sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Attributes it carries.
    pub projection: Projection,
}

/// Lifecycle state of a table or index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableStatus {
    /// Being created.
    Creating,
    /// Being updated.
    Updating,
    /// Being deleted.
    Deleting,
    /// Ready.
    #[default]
    Active,
}

impl TableStatus {
    /// DynamoDB's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
            TableStatus::Active => "ACTIVE",
        }
    }
}

/// A secondary index as DescribeTable reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecondaryIndexDescription {
    /// Index name.
    pub index_name: String,
    /// The index's key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Attributes it carries.
    pub projection: Projection,
    /// `arn:...:table/<table>/index/<index>`.
    pub index_arn: String,
    /// Index state (GSIs only; `None` for LSIs).
    pub index_status: Option<TableStatus>,
    /// Capacity (GSIs only).
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
    /// Items in the index (maintained from the secondary-index issue on).
    pub item_count: i64,
    /// Bytes in the index.
    pub index_size_bytes: i64,
}

/// Everything DescribeTable reports about a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableDescription {
    /// Table name.
    pub table_name: String,
    /// A unique id (UUID-shaped), new for every table created.
    pub table_id: String,
    /// `arn:aws:dynamodb:<region>:<account>:table/<name>`.
    pub table_arn: String,
    /// Lifecycle state.
    pub table_status: TableStatus,
    /// Creation time in epoch seconds.
    pub creation_date_time: f64,
    /// Key attributes and their roles.
    pub key_schema: Vec<KeySchemaElement>,
    /// Types of the key attributes of the table and its indexes.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Capacity (zeros on-demand).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Present once a billing mode was given or changed.
    pub billing_mode_summary: Option<BillingModeSummary>,
    /// Number of items.
    pub item_count: i64,
    /// Total item size by DynamoDB's rules.
    pub table_size_bytes: i64,
    /// Stream settings, when a stream was requested.
    pub stream_specification: Option<StreamSpecification>,
    /// Label of the current stream.
    pub latest_stream_label: Option<String>,
    /// ARN of the current stream.
    pub latest_stream_arn: Option<String>,
    /// Global secondary indexes.
    pub global_secondary_indexes: Option<Vec<SecondaryIndexDescription>>,
    /// Local secondary indexes.
    pub local_secondary_indexes: Option<Vec<SecondaryIndexDescription>>,
    /// Whether DeleteTable is refused.
    pub deletion_protection_enabled: bool,
}

/// ReturnConsumedCapacity: whether a response reports the capacity the request consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnConsumedCapacity {
    /// No `ConsumedCapacity` in the response.
    #[default]
    None,
    /// The total, per table.
    Total,
    /// The total, plus the table's and each index's share.
    Indexes,
}

impl ReturnConsumedCapacity {
    /// DynamoDB's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnConsumedCapacity::None => "NONE",
            ReturnConsumedCapacity::Total => "TOTAL",
            ReturnConsumedCapacity::Indexes => "INDEXES",
        }
    }
}

/// Capacity units consumed on one table or index.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Capacity {
    /// Read capacity units, when reads were consumed.
    pub read_capacity_units: Option<f64>,
    /// Write capacity units, when writes were consumed.
    pub write_capacity_units: Option<f64>,
    /// All units.
    pub capacity_units: f64,
}

/// The capacity one request consumed on one table (DynamoDB's `ConsumedCapacity`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsumedCapacity {
    /// The table.
    pub table_name: String,
    /// All units, table and indexes.
    pub capacity_units: f64,
    /// Read units of the total, when reads were consumed.
    pub read_capacity_units: Option<f64>,
    /// Write units of the total, when writes were consumed.
    pub write_capacity_units: Option<f64>,
    /// The table's share (`INDEXES` only).
    pub table: Option<Capacity>,
    /// Each local secondary index's share (`INDEXES` only).
    pub local_secondary_indexes: Option<std::collections::BTreeMap<String, Capacity>>,
    /// Each global secondary index's share (`INDEXES` only).
    pub global_secondary_indexes: Option<std::collections::BTreeMap<String, Capacity>>,
}

/// A target-tracking auto scaling policy for one capacity dimension (reads or writes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetTracking {
    /// Capacity never goes below this.
    pub min_capacity: i64,
    /// Capacity never goes above this.
    pub max_capacity: i64,
    /// The consumed share of capacity the policy aims at, in percent (20 to 90).
    pub target_utilization: f64,
}

/// Auto scaling of a provisioned table: a policy for reads, for writes, or both.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AutoScaling {
    /// Read capacity policy.
    pub read: Option<TargetTracking>,
    /// Write capacity policy.
    pub write: Option<TargetTracking>,
}
