//! Capacity units, counted as DynamoDB counts them (docs/capacity.md):
//!
//! - reads round up to 4 KB: one unit strongly consistent, half a unit eventually consistent,
//!   two transactional; a missing item still costs the minimum;
//! - writes round up to 1 KB: one unit, two transactional; a write costs the larger of the
//!   item before and after (a delete, the item deleted; nothing there, one unit);
//! - GetItem and each key of BatchGetItem or TransactGetItems round one item; Query and Scan
//!   round the bytes of every item they evaluated (before the filter) once per page;
//!   BatchWriteItem and TransactWriteItems round each item.

use crate::api::{Capacity, ConsumedCapacity, ReturnConsumedCapacity};
use std::collections::BTreeMap;

/// Bytes of one read unit.
pub const READ_UNIT_BYTES: usize = 4096;
/// Bytes of one write unit.
pub const WRITE_UNIT_BYTES: usize = 1024;

/// Units of reading `bytes` in one rounding (at least one unit's worth).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(READ_UNIT_BYTES).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// Units of writing an item that was `old` bytes and becomes `new` bytes (0: absent).
pub fn write_units(old: usize, new: usize) -> f64 {
    old.max(new).div_ceil(WRITE_UNIT_BYTES).max(1) as f64
}

/// Whether units are read or write units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Read units.
    Read,
    /// Write units.
    Write,
}

/// The units one request consumed, per table (in name order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consumed {
    tables: BTreeMap<String, (f64, f64)>,
}

impl Consumed {
    /// Nothing consumed yet.
    pub fn new() -> Self {
        Consumed::default()
    }

    /// Adds `units` of `kind` on `table`.
    pub fn add(&mut self, table: &str, kind: Kind, units: f64) {
        let entry = match self.tables.get_mut(table) {
            Some(e) => e,
            None => self.tables.entry(table.to_owned()).or_default(),
        };
        match kind {
            Kind::Read => entry.0 += units,
            Kind::Write => entry.1 += units,
        }
    }

    /// The `ConsumedCapacity` of each table, as `mode` asks (`None` for NONE or absent).
    pub fn report(&self, mode: Option<ReturnConsumedCapacity>) -> Option<Vec<ConsumedCapacity>> {
        let mode = mode.filter(|m| *m != ReturnConsumedCapacity::None)?;
        Some(
            self.tables
                .iter()
                .map(|(name, &(read, write))| {
                    let total = read + write;
                    ConsumedCapacity {
                        table_name: name.clone(),
                        capacity_units: total,
                        table: (mode == ReturnConsumedCapacity::Indexes).then_some(Capacity {
                            capacity_units: total,
                            ..Default::default()
                        }),
                        ..Default::default()
                    }
                })
                .collect(),
        )
    }

    /// The `ConsumedCapacity` of a single-table request.
    pub fn report_one(&self, mode: Option<ReturnConsumedCapacity>) -> Option<ConsumedCapacity> {
        self.report(mode)?.into_iter().next()
    }

    /// The units on `table`: (read, write).
    pub fn units(&self, table: &str) -> (f64, f64) {
        self.tables.get(table).copied().unwrap_or_default()
    }
}

/// The report for `units` of one kind on one table.
pub fn single(
    mode: Option<ReturnConsumedCapacity>,
    table: &str,
    kind: Kind,
    units: f64,
) -> Option<ConsumedCapacity> {
    let mut c = Consumed::new();
    c.add(table, kind, units);
    c.report_one(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_units_round_up_to_4_kb_halved_when_eventual() {
        assert_eq!(read_units(0, true), 1.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(read_units(1, false), 0.5);
        assert_eq!(read_units(96 * 1024, false), 12.0);
    }

    #[test]
    fn write_units_take_the_larger_image_rounded_to_1_kb() {
        assert_eq!(write_units(0, 0), 1.0);
        assert_eq!(write_units(0, 1024), 1.0);
        assert_eq!(write_units(0, 1025), 2.0);
        assert_eq!(write_units(3000, 10), 3.0);
    }

    #[test]
    fn report_shapes_total_and_indexes() {
        let mut c = Consumed::new();
        c.add("b", Kind::Write, 2.0);
        c.add("a", Kind::Read, 0.5);
        c.add("a", Kind::Read, 1.0);
        assert_eq!(c.report(None), None);
        assert_eq!(c.report(Some(ReturnConsumedCapacity::None)), None);
        let total = c.report(Some(ReturnConsumedCapacity::Total)).unwrap();
        assert_eq!(total.len(), 2);
        assert_eq!(
            (total[0].table_name.as_str(), total[0].capacity_units),
            ("a", 1.5)
        );
        assert_eq!(total[0].table, None);
        let indexes = c.report(Some(ReturnConsumedCapacity::Indexes)).unwrap();
        assert_eq!(indexes[1].table.map(|t| t.capacity_units), Some(2.0));
    }
}
