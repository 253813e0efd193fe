//! Named limits of the engine, each with the reason it exists.

/// Largest key the LSM accepts. DynamoDB's largest primary key is a 2048-byte partition key
/// plus a 1024-byte sort key; the item layer adds a table prefix and type tags, so 4 KiB
/// leaves room without letting index blocks balloon.
pub const KEY_SIZE_BYTES_MAX: usize = 4096;

/// Largest encoded write batch. A TransactWriteItems carries at most 4 MB of items and its
/// index entries and stream records ride in the same batch; 64 MiB bounds one WAL record and
/// the memory a recovery must hold for it.
pub const BATCH_SIZE_BYTES_MAX: usize = 64 << 20;

/// Largest WAL record the reader will believe. Equal to the batch limit plus framing slack:
/// a length field above it is damage, not data.
pub const WAL_RECORD_SIZE_BYTES_MAX: usize = BATCH_SIZE_BYTES_MAX + 4096;

/// Number of levels in each shard's tree (L0 plus six leveled levels). With a 256 MiB L1 (the default) and
/// a ratio of 10 the last level holds 256 TB, far beyond one machine's shard.
pub const LEVEL_COUNT: usize = 7;

/// Most shards a store may have: each costs a memtable and a set of level files.
pub const SHARD_COUNT_MAX: usize = 1024;

/// Largest SSTable block the reader will allocate for; blocks are written near 4 KiB, but a
/// single large entry makes one block as large as the entry.
pub const BLOCK_SIZE_BYTES_MAX: usize = BATCH_SIZE_BYTES_MAX + 4096;

/// Largest manifest record (a full snapshot of every shard's file list). Manifest records
/// share the WAL framing, so they share its bound: about 600,000 files.
pub const MANIFEST_RECORD_SIZE_BYTES_MAX: usize = WAL_RECORD_SIZE_BYTES_MAX;

/// Longest expression string (ConditionExpression, KeyConditionExpression, ...), in bytes of
/// the raw text before placeholders are substituted: DynamoDB's documented 4 KB limit.
pub const EXPRESSION_SIZE_BYTES_MAX: usize = 4096;

/// Longest document path in an expression, in elements (`a.b[0]` has three): DynamoDB's
/// 32-level nesting limit for items, which no longer path could reach into.
pub const DOCUMENT_PATH_ELEMENTS_MAX: usize = 32;

/// Deepest nesting of parentheses and `NOT`s in a condition expression. DynamoDB documents no
/// such limit; ours keeps the recursive-descent parser, and the recursive evaluation of what
/// it builds, far from the end of a thread's stack. Real expressions nest a few levels.
pub const EXPRESSION_NESTING_MAX: usize = 100;

/// Most operators (`+`, `-`) and function calls in one UpdateExpression: DynamoDB's documented
/// limit ("The expression contains too many operators"). With the 4 KB text limit it also
/// bounds the work of applying an update.
pub const UPDATE_EXPRESSION_OPERATORS_MAX: usize = 300;

/// Longest `#name` or `:value` placeholder, in bytes including the `#` or `:`, as DynamoDB
/// enforces on the keys of ExpressionAttributeNames and ExpressionAttributeValues.
pub const PLACEHOLDER_SIZE_BYTES_MAX: usize = 255;

/// Most operands of one IN comparison: DynamoDB's documented limit of 100.
pub const IN_OPERANDS_MAX: usize = 100;
