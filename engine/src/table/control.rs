//! The control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable.

use super::catalog::Table;
use super::schema::TableDef;
use super::validate;
use crate::api::*;
use crate::db::Database;
use crate::lsm::{Direction, KeyRange};
use crate::model::{codec, item_size_bytes, key};
use std::fmt::Write as _;

/// Most names ListTables returns per page.
const LIST_TABLES_LIMIT_MAX: i64 = 100;

impl Database {
    /// CreateTable. The table is `ACTIVE` as soon as this returns (as local DynamoDB does).
    pub fn create_table(&self, input: CreateTableInput) -> ApiResult<CreateTableOutput> {
        validate::create_table(&input)?;
        let now = self.options.clock.now_epoch_seconds();
        let billing_mode = input.billing_mode.unwrap_or_default();
        let throughput = input.provisioned_throughput.unwrap_or_default();
        let def = TableDef {
            uuid: String::new(),
            name: input.table_name,
            id: 0,
            created_at: now,
            key_schema: input.key_schema,
            attribute_definitions: input.attribute_definitions,
            billing_mode,
            billing_mode_given: input.billing_mode.is_some(),
            throughput: ProvisionedThroughputDescription {
                read_capacity_units: throughput.read_capacity_units,
                write_capacity_units: throughput.write_capacity_units,
                ..Default::default()
            },
            last_update_to_pay_per_request: (billing_mode == BillingMode::PayPerRequest)
                .then_some(now),
            stream: input.stream_specification,
            gsis: input.global_secondary_indexes.unwrap_or_default(),
            lsis: input.local_secondary_indexes.unwrap_or_default(),
            deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
            auto_scaling: AutoScaling::default(),
        };
        let table = self.catalog.create(&self.store, def)?;
        Ok(CreateTableOutput {
            table_description: self.describe(&table, false)?,
        })
    }

    /// DescribeTable. ItemCount and TableSizeBytes are exact (DynamoDB refreshes them
    /// about every six hours); after a reopen the first call recounts the table.
    pub fn describe_table(&self, input: DescribeTableInput) -> ApiResult<DescribeTableOutput> {
        validate::control_table_name(&input.table_name)?;
        let table = self
            .catalog
            .get(&input.table_name)
            .ok_or_else(|| not_found(&input.table_name))?;
        Ok(DescribeTableOutput {
            table: self.describe(&table, true)?,
        })
    }

    /// ListTables, in name order, with pagination.
    pub fn list_tables(&self, input: ListTablesInput) -> ApiResult<ListTablesOutput> {
        let limit = input.limit.unwrap_or(LIST_TABLES_LIMIT_MAX);
        let mut errors = validate::Errors::default();
        if let Some(start) = &input.exclusive_start_table_name {
            validate::name_constraints(&mut errors, start, "exclusiveStartTableName");
        }
        if !(1..=LIST_TABLES_LIMIT_MAX).contains(&limit) {
            errors.push(
                &limit.to_string(),
                "limit",
                if limit < 1 {
                    "Member must have value greater than or equal to 1"
                } else {
                    "Member must have value less than or equal to 100"
                },
            );
        }
        errors.finish()?;
        let (table_names, more) = self
            .catalog
            .names(input.exclusive_start_table_name.as_deref(), limit as usize);
        let last_evaluated_table_name = if more {
            table_names.last().cloned()
        } else {
            None
        };
        Ok(ListTablesOutput {
            table_names,
            last_evaluated_table_name,
        })
    }

    /// UpdateTable: billing mode, provisioned throughput and deletion protection.
    pub fn update_table(&self, input: UpdateTableInput) -> ApiResult<UpdateTableOutput> {
        validate::control_table_name(&input.table_name)?;
        validate::update_table(&input)?;
        let table = self
            .catalog
            .get(&input.table_name)
            .ok_or_else(|| not_found(&input.table_name))?;
        let now = self.options.clock.now_epoch_seconds();
        let def = validate::apply_update(&table.def, &input, now)?;
        let table = self.catalog.update(&self.store, &table, def)?;
        Ok(UpdateTableOutput {
            table_description: self.describe(&table, false)?,
        })
    }

    /// DeleteTable. Items disappear at once; their space is reclaimed by a background
    /// compaction that drops them.
    pub fn delete_table(&self, input: DeleteTableInput) -> ApiResult<DeleteTableOutput> {
        validate::control_table_name(&input.table_name)?;
        let table = self
            .catalog
            .get(&input.table_name)
            .ok_or_else(|| not_found(&input.table_name))?;
        if table.def.deletion_protection {
            return Err(ApiError::validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            ));
        }
        let mut description = self.describe(&table, false)?;
        description.table_status = TableStatus::Deleting;
        self.catalog.delete(&self.store, &table)?;
        self.request_reclaim();
        Ok(DeleteTableOutput {
            table_description: description,
        })
    }

    /// Builds a TableDescription; `recount` allows a scan when the totals are unknown.
    pub(crate) fn describe(&self, table: &Table, recount: bool) -> ApiResult<TableDescription> {
        let def = &table.def;
        let (item_count, table_size_bytes) = match table.stats.get() {
            Some(t) => t,
            None if recount => self.recount(table)?,
            None => (0, 0),
        };
        let table_arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            self.options.region, self.options.account_id, def.name
        );
        let throughput = match def.billing_mode {
            BillingMode::Provisioned => def.throughput.clone(),
            BillingMode::PayPerRequest => ProvisionedThroughputDescription {
                read_capacity_units: 0,
                write_capacity_units: 0,
                ..def.throughput.clone()
            },
        };
        let indexes = |list: Vec<IndexParts>| {
            let list: Vec<SecondaryIndexDescription> = list
                .into_iter()
                .map(
                    |(name, key_schema, projection, throughput)| SecondaryIndexDescription {
                        index_arn: format!("{table_arn}/index/{name}"),
                        index_name: name,
                        key_schema,
                        projection,
                        index_status: throughput.is_some().then_some(TableStatus::Active),
                        provisioned_throughput: throughput,
                        item_count: 0,
                        index_size_bytes: 0,
                    },
                )
                .collect();
            (!list.is_empty()).then_some(list)
        };
        let gsis = def
            .gsis
            .iter()
            .map(|g| {
                let t = g.provisioned_throughput.unwrap_or_default();
                let t = ProvisionedThroughputDescription {
                    read_capacity_units: t.read_capacity_units,
                    write_capacity_units: t.write_capacity_units,
                    ..Default::default()
                };
                (
                    g.index_name.clone(),
                    g.key_schema.clone(),
                    g.projection.clone(),
                    Some(t),
                )
            })
            .collect();
        let lsis = def
            .lsis
            .iter()
            .map(|l| {
                (
                    l.index_name.clone(),
                    l.key_schema.clone(),
                    l.projection.clone(),
                    None,
                )
            })
            .collect();
        let stream_on = def.stream.as_ref().is_some_and(|s| s.stream_enabled);
        let stream_label = stream_on.then(|| stream_label(def.created_at));
        Ok(TableDescription {
            table_name: def.name.clone(),
            table_id: def.uuid.clone(),
            latest_stream_arn: stream_label
                .as_ref()
                .map(|l| format!("{table_arn}/stream/{l}")),
            latest_stream_label: stream_label,
            table_arn: table_arn.clone(),
            table_status: TableStatus::Active,
            creation_date_time: def.created_at,
            key_schema: def.key_schema.clone(),
            attribute_definitions: def.attribute_definitions.clone(),
            provisioned_throughput: throughput,
            billing_mode_summary: def.billing_mode_given.then_some(BillingModeSummary {
                billing_mode: def.billing_mode,
                last_update_to_pay_per_request_date_time: def.last_update_to_pay_per_request,
            }),
            item_count,
            table_size_bytes,
            stream_specification: def.stream.clone().filter(|s| s.stream_enabled),
            global_secondary_indexes: indexes(gsis),
            local_secondary_indexes: indexes(lsis),
            deletion_protection_enabled: def.deletion_protection,
        })
    }

    /// Counts a table's items and bytes with a scan at a snapshot (see `table::stats`).
    fn recount(&self, table: &Table) -> ApiResult<(i64, i64)> {
        if !table.stats.begin_recount() {
            // Another caller recounts, or the totals just became known.
            return Ok(table.stats.get().unwrap_or((0, 0)));
        }
        let snapshot = self.store.snapshot();
        let (start, end) = key::table_bounds(table.def.id);
        let mut totals = (0i64, 0i64);
        let result = (|| -> ApiResult<()> {
            for shard in 0..self.store.shard_count() {
                let range = KeyRange::new(
                    std::ops::Bound::Included(&start[..]),
                    std::ops::Bound::Excluded(&end[..]),
                );
                for entry in
                    self.store
                        .shard_range(shard, range, Direction::Forward, Some(&snapshot))?
                {
                    let (_, v) = entry?;
                    let item = codec::decode_item(&v).map_err(|r| {
                        ApiError::Internal(crate::Error::corruption(&table.def.name, 0, r))
                    })?;
                    totals.0 += 1;
                    totals.1 += item_size_bytes(&item) as i64;
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                table
                    .stats
                    .finish_recount(snapshot.seq(), totals.0, totals.1);
                Ok(table.stats.get().unwrap_or(totals))
            }
            Err(e) => {
                table.stats.abort_recount();
                Err(e)
            }
        }
    }
}

/// The ResourceNotFoundException of the control-plane operations.
fn not_found(name: &str) -> ApiError {
    ApiError::ResourceNotFound(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

/// An index's name, key schema, projection and (GSIs only) throughput.
type IndexParts = (
    String,
    Vec<KeySchemaElement>,
    Projection,
    Option<ProvisionedThroughputDescription>,
);

/// DynamoDB-style stream label: the creation time as an ISO-8601 timestamp.
fn stream_label(created_at: f64) -> String {
    let millis = (created_at * 1000.0) as i64;
    let secs = millis.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut s = String::new();
    let _ = write!(
        s,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        millis.rem_euclid(1000)
    );
    s
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A UUID-shaped table id derived from the name, creation time and internal id, which is
/// never reused, so every table gets its own (no RNG in the engine).
pub(crate) fn table_uuid(name: &str, now: f64, id: u32) -> String {
    use xxhash_rust::xxh3::xxh3_128_with_seed;
    let h = xxh3_128_with_seed(
        name.as_bytes(),
        now.to_bits() ^ u64::from(id).rotate_left(32),
    );
    let b = h.to_be_bytes();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_label_formats_epoch_seconds_as_iso_8601() {
        assert_eq!(stream_label(0.0), "1970-01-01T00:00:00.000");
        assert_eq!(stream_label(1_700_000_000.5), "2023-11-14T22:13:20.500");
    }
}
