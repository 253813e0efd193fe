//! Scan: every item of a table in routing-hash order, a page at a time, optionally one
//! segment of a parallel scan.
//!
//! Storage keys start with the table id and the partition's routing hash, and shard `i`
//! owns a contiguous hash range, so segment `s` of `n` is the hash range
//! `[s * 2^64 / n, (s + 1) * 2^64 / n)`: one key range in one shard or a few neighbouring
//! ones, whatever `n` is. Pages continue from LastEvaluatedKey: its hash names the shard.

use super::expressions::ReadExpressions;
use super::query::{after, prepare, start_key, Page, PageSpec, ReadOptions};
use crate::api::*;
use crate::db::Database;
use crate::lsm::{Direction, KeyRange};
use crate::model::key::{hash_bound, table_bounds};
use crate::shard::router::shard_of_hash;
use std::ops::Bound;

/// Most segments of a parallel scan.
const TOTAL_SEGMENTS_MAX: i64 = 1_000_000;

/// The hash range `[start, end)` of a segment; `end` is `None` for the top of the space.
fn segment_hashes(segment: u64, total: u64) -> (u64, Option<u64>) {
    let bound = |s: u64| ((u128::from(s) << 64) / u128::from(total)) as u64;
    let end = (segment + 1 < total).then(|| bound(segment + 1));
    (bound(segment), end)
}

fn check_segments(segment: Option<i64>, total: Option<i64>) -> ApiResult<Option<(u64, u64)>> {
    let mut errors = super::validate::Errors::default();
    if let Some(s) = segment {
        if s < 0 {
            errors.push(
                &s.to_string(),
                "segment",
                "Member must have value greater than or equal to 0",
            );
        }
        if s > TOTAL_SEGMENTS_MAX - 1 {
            errors.push(
                &s.to_string(),
                "segment",
                "Member must have value less than or equal to 999999",
            );
        }
    }
    if let Some(t) = total {
        if t < 1 {
            errors.push(
                &t.to_string(),
                "totalSegments",
                "Member must have value greater than or equal to 1",
            );
        }
        if t > TOTAL_SEGMENTS_MAX {
            errors.push(
                &t.to_string(),
                "totalSegments",
                "Member must have value less than or equal to 1000000",
            );
        }
    }
    errors.finish()?;
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(ApiError::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(s), Some(t)) if s >= t => Err(ApiError::Validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
        ))),
        (Some(s), Some(t)) => Ok(Some((s as u64, t as u64))),
    }
}

impl Database {
    /// Scan: the whole table (or one segment of it), a page at a time.
    pub fn scan(&self, input: ScanInput) -> ApiResult<ScanOutput> {
        super::validate::table_name(&input.table_name)?;
        let segments = check_segments(input.segment, input.total_segments)?;
        let table = self.table(&input.table_name)?;
        let (plan, limit, count_only) = prepare(
            &table,
            ReadExpressions {
                key_condition: None,
                filter: input.filter_expression.as_deref(),
                projection: input.projection_expression.as_deref(),
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values,
                key_conditions: None,
                legacy_filter: input.scan_filter.as_ref(),
                conditional_operator: input.conditional_operator,
                attributes_to_get: input.attributes_to_get.as_deref(),
            },
            ReadOptions {
                index_name: input.index_name.as_deref(),
                limit: input.limit,
                select: input.select,
                is_query: false,
            },
        )?;
        let id = table.def.id;
        let (table_start, table_end) = table_bounds(id);
        let (hash_start, hash_end) = match segments {
            Some((s, t)) => segment_hashes(s, t),
            None => (0, None),
        };
        let mut range = KeyRange {
            start: Bound::Included(hash_bound(id, hash_start)),
            end: Bound::Excluded(hash_end.map_or(table_end, |h| hash_bound(id, h))),
        };
        debug_assert!(hash_bound(id, 0) >= table_start);
        let mut first_hash = hash_start;
        if let Some(esk) = &input.exclusive_start_key {
            let start = start_key(&table, esk)?;
            let hash = start
                .get(4..12)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if hash < hash_start || hash_end.is_some_and(|e| hash >= e) {
                let (s, t) = segments.unwrap_or((0, 1));
                return Err(ApiError::Validation(format!(
                    "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {t} Segment: {s}"
                )));
            }
            first_hash = hash;
            range = after(range, start, Direction::Forward);
        }
        let shards = self.store.shard_count();
        let first_shard = shard_of_hash(first_hash, shards);
        let last_shard = shard_of_hash(hash_end.map_or(u64::MAX, |e| e - 1), shards);
        let spec = PageSpec {
            plan: &plan,
            limit,
            count_only,
            consistent: input.consistent_read == Some(true),
            capacity: input.return_consumed_capacity,
        };
        self.admit(&table, super::throttle::Op::Read, &[])?;
        let mut page = Page::new();
        let mut last = None;
        for shard in first_shard..=last_shard {
            let entries = self
                .store
                .shard_range(shard, range.clone(), Direction::Forward, None)?;
            last = page.fill(&table, &spec, entries)?;
            if last.is_some() || page.is_full(&spec) {
                break;
            }
        }
        let units = page.read_units(&spec);
        self.charge(&table, super::throttle::Op::Read, units, &[]);
        Ok(page.finish(&table, &spec, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_hashes_tile_the_hash_space() {
        for total in [1u64, 2, 3, 7, 1_000_000] {
            let mut expected_start = 0u64;
            for s in [0, total / 2, total - 1] {
                let (start, end) = segment_hashes(s, total);
                if s == 0 {
                    assert_eq!(start, expected_start);
                }
                if s == total - 1 {
                    assert_eq!(end, None);
                } else {
                    assert_eq!(end, Some(segment_hashes(s + 1, total).0));
                }
                expected_start = start;
            }
        }
    }
}
