//! Live ItemCount and TableSizeBytes of a table.
//!
//! Writes report the change they made (items and bytes, from the old and new item they saw
//! under their key lock). After a reopen the totals are unknown until a scan recounts them;
//! writes made while the scan runs are logged with their sequence numbers, and only those
//! the scan's snapshot did not see are added to its result, so the count is exact.

use super::locks::lock;
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    known: bool,
    item_count: i64,
    size_bytes: i64,
    /// Changes logged while a recount runs: (sequence number, items, bytes).
    recount_log: Option<Vec<(u64, i64, i64)>>,
}

/// Item count and size of one table.
#[derive(Debug, Default)]
pub(crate) struct TableStats {
    state: Mutex<State>,
}

impl TableStats {
    /// Totals of a new, empty table.
    pub(crate) fn empty() -> Self {
        let s = TableStats::default();
        lock(&s.state).known = true;
        s
    }

    /// Totals not known yet (a table found at open).
    pub(crate) fn unknown() -> Self {
        TableStats::default()
    }

    /// Records a committed write at `seq` that changed the item count by `items` and the
    /// size by `bytes`.
    pub(crate) fn record(&self, seq: u64, items: i64, bytes: i64) {
        if items == 0 && bytes == 0 {
            return;
        }
        let mut s = lock(&self.state);
        if s.known {
            s.item_count += items;
            s.size_bytes += bytes;
        }
        if let Some(log) = s.recount_log.as_mut() {
            log.push((seq, items, bytes));
        }
    }

    /// The totals, if known.
    pub(crate) fn get(&self) -> Option<(i64, i64)> {
        let s = lock(&self.state);
        s.known.then_some((s.item_count, s.size_bytes))
    }

    /// Starts a recount: call before taking the scan's snapshot. Returns false if the
    /// totals are known or another recount runs.
    pub(crate) fn begin_recount(&self) -> bool {
        let mut s = lock(&self.state);
        if s.known || s.recount_log.is_some() {
            return false;
        }
        s.recount_log = Some(Vec::new());
        true
    }

    /// Finishes a recount whose snapshot was at `snapshot_seq` and counted `items` items of
    /// `bytes` bytes.
    pub(crate) fn finish_recount(&self, snapshot_seq: u64, items: i64, bytes: i64) {
        let mut s = lock(&self.state);
        let log = s.recount_log.take().unwrap_or_default();
        let (mut items, mut bytes) = (items, bytes);
        for (seq, di, db) in log {
            if seq > snapshot_seq {
                items += di;
                bytes += db;
            }
        }
        s.known = true;
        s.item_count = items;
        s.size_bytes = bytes;
    }

    /// Abandons a failed recount.
    pub(crate) fn abort_recount(&self) {
        lock(&self.state).recount_log = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recount_adds_only_writes_after_its_snapshot() {
        let s = TableStats::unknown();
        assert_eq!(s.get(), None);
        s.record(5, 1, 10); // before the recount: lost, but the scan sees it
        assert!(s.begin_recount());
        assert!(!s.begin_recount());
        s.record(9, 1, 20); // seen by the snapshot at 10
        s.record(11, 1, 30); // after the snapshot
        s.record(12, -1, -5);
        s.finish_recount(10, 2, 30);
        assert_eq!(s.get(), Some((2 + 1 - 1, 30 + 30 - 5)));
        s.record(13, 1, 1);
        assert_eq!(s.get(), Some((3, 56)));
    }
}
