//! RocksDB and fjall behind [`BenchEngine`], for engine-bench's `compare` feature.
//!
//! Both are configured like Tessera where the engines allow it: no compression, 10 bloom
//! bits per key, a block cache of the same size, and the durability engine-bench asks for
//! (`put`: WAL written, never fsynced; `sync_put`: fsynced before returning). Neither has
//! partitions, so the partition key is ignored: with one partition (engine-bench's default)
//! every engine scans the same ordered key space.
//!
//! RocksDB links the system library. On Debian 12: `apt-get install -y librocksdb-dev
//! libclang-dev`, then build with `ROCKSDB_LIB_DIR=/usr/lib/x86_64-linux-gnu`.

use crate::engine::{BenchEngine, OpenOptions};
use crate::error::{Error, Result};
use std::path::Path;

/// Opens engine `name` (`rocksdb` or `fjall`) in `dir`.
pub fn open(name: &str, dir: &Path, opts: &OpenOptions) -> Result<Box<dyn BenchEngine>> {
    match name {
        "rocksdb" => Ok(Box::new(RocksEngine::open(dir, opts)?)),
        "fjall" => Ok(Box::new(FjallEngine::open(dir, opts)?)),
        _ => Err(Error::UnknownEngine {
            name: name.to_string(),
        }),
    }
}

/// rust-rocksdb 0.25 declares `rocksdb_write_buffer_manager_destroy`, which Debian's
/// librocksdb 7.8.3 lacks; the linker needs the symbol although engine-bench never creates a
/// write buffer manager, so it is never called.
#[no_mangle]
pub extern "C" fn rocksdb_write_buffer_manager_destroy(_manager: *mut std::ffi::c_void) {}

/// RocksDB with its default LSM shape.
pub struct RocksEngine {
    db: rocksdb::DB,
    write: rocksdb::WriteOptions,
    sync_write: rocksdb::WriteOptions,
}

impl RocksEngine {
    fn open(dir: &Path, opts: &OpenOptions) -> Result<Self> {
        let mut o = rocksdb::Options::default();
        o.create_if_missing(true);
        o.set_compression_type(rocksdb::DBCompressionType::None);
        o.increase_parallelism(2);
        let mut table = rocksdb::BlockBasedOptions::default();
        let cache = rocksdb::Cache::new_lru_cache(opts.cache_bytes as usize);
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);
        o.set_block_based_table_factory(&table);
        let db = rocksdb::DB::open(&o, dir).map_err(|e| Error::engine("rocksdb", "open", e))?;
        let write = rocksdb::WriteOptions::default();
        let mut sync_write = rocksdb::WriteOptions::default();
        sync_write.set_sync(true);
        Ok(RocksEngine {
            db,
            write,
            sync_write,
        })
    }
}

impl BenchEngine for RocksEngine {
    fn name(&self) -> &'static str {
        "rocksdb"
    }

    fn put(&self, _partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .put_opt(key, value, &self.write)
            .map_err(|e| Error::engine("rocksdb", "put", e))
    }

    fn sync_put(&self, _partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.db
            .put_opt(key, value, &self.sync_write)
            .map_err(|e| Error::engine("rocksdb", "sync put", e))
    }

    fn get(&self, _partition: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db
            .get_pinned(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| Error::engine("rocksdb", "get", e))
    }

    fn seek_n(&self, _partition: &[u8], start: &[u8], n: usize) -> Result<usize> {
        let mut it = self.db.raw_iterator();
        it.seek(start);
        let mut read = 0;
        while read < n && it.valid() {
            std::hint::black_box((it.key(), it.value()));
            read += 1;
            it.next();
        }
        it.status()
            .map_err(|e| Error::engine("rocksdb", "seek", e))?;
        Ok(read)
    }

    fn flush_compact(&self) -> Result<()> {
        self.db
            .flush()
            .map_err(|e| Error::engine("rocksdb", "flush", e))?;
        let mut c = rocksdb::CompactOptions::default();
        c.set_bottommost_level_compaction(rocksdb::BottommostLevelCompaction::Force);
        self.db.compact_range_opt(None::<&[u8]>, None::<&[u8]>, &c);
        Ok(())
    }

    fn stats_line(&self) -> Option<String> {
        let p = |name: &str| self.db.property_int_value(name).ok().flatten();
        Some(format!(
            "live_sst_bytes={:?} num_files_l0={:?} estimate_keys={:?}",
            p("rocksdb.live-sst-files-size"),
            p("rocksdb.num-files-at-level0"),
            p("rocksdb.estimate-num-keys"),
        ))
    }
}

/// fjall 3 with one keyspace and its default LSM shape.
pub struct FjallEngine {
    db: fjall::Database,
    ks: fjall::Keyspace,
}

impl FjallEngine {
    fn open(dir: &Path, opts: &OpenOptions) -> Result<Self> {
        let db = fjall::Database::builder(dir)
            .cache_size(opts.cache_bytes)
            .open()
            .map_err(|e| Error::engine("fjall", "open", e))?;
        let ks = db
            .keyspace("bench", fjall::KeyspaceCreateOptions::default)
            .map_err(|e| Error::engine("fjall", "keyspace", e))?;
        Ok(FjallEngine { db, ks })
    }
}

impl BenchEngine for FjallEngine {
    fn name(&self) -> &'static str {
        "fjall"
    }

    fn put(&self, _partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.ks
            .insert(key, value)
            .map_err(|e| Error::engine("fjall", "insert", e))
    }

    fn sync_put(&self, partition: &[u8], key: &[u8], value: &[u8]) -> Result<()> {
        self.put(partition, key, value)?;
        self.db
            .persist(fjall::PersistMode::SyncData)
            .map_err(|e| Error::engine("fjall", "persist", e))
    }

    fn get(&self, _partition: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.ks
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| Error::engine("fjall", "get", e))
    }

    fn seek_n(&self, _partition: &[u8], start: &[u8], n: usize) -> Result<usize> {
        let mut read = 0;
        for guard in self.ks.range(start..).take(n) {
            let kv = guard
                .into_inner()
                .map_err(|e| Error::engine("fjall", "range", e))?;
            std::hint::black_box(kv);
            read += 1;
        }
        Ok(read)
    }

    fn flush_compact(&self) -> Result<()> {
        self.ks
            .rotate_memtable_and_wait()
            .map_err(|e| Error::engine("fjall", "flush", e))?;
        self.ks
            .major_compact()
            .map_err(|e| Error::engine("fjall", "compact", e))
    }
}
