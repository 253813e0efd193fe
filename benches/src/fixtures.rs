//! Test data for the component benches: a finished SSTable of benchmark keys.

use crate::error::{Error, Result};
use crate::keys::{key, value};
use std::sync::Arc;
use tessera_engine::io::Storage;
use tessera_engine::lsm::ikey::{self, ValueKind};
use tessera_engine::lsm::sstable::{self, BlockCache, Table, TableBuilder, TableOptions};

/// Writes table `file_number` holding keys `0..n` (sequence number 1, `value_len`-byte values)
/// to `storage` with default options, and opens it with `cache`.
pub fn build_table(
    storage: &Arc<dyn Storage>,
    file_number: u64,
    n: u64,
    value_len: usize,
    cache: Arc<BlockCache>,
) -> Result<Arc<Table>> {
    let name = sstable::file_name(file_number);
    let file = storage.create(&name)?;
    let mut builder = TableBuilder::new(file, name.clone(), file_number, &TableOptions::default());
    let mut ik = Vec::new();
    for i in 0..n {
        ik.clear();
        ikey::encode_into(&mut ik, &key(i), 1, ValueKind::Put);
        builder
            .add(&ik, &value(i, value_len))
            .map_err(|e| Error::engine("tessera", "table add", e))?;
    }
    builder
        .finish()
        .map_err(|e| Error::engine("tessera", "table finish", e))?;
    let file = storage.open(&name)?;
    Table::open(file, name, file_number, cache)
        .map_err(|e| Error::engine("tessera", "table open", e))
}
