//! Validation of control-plane requests, with DynamoDB's messages.
//!
//! DynamoDB checks a request in two passes: model constraints (lengths, ranges, patterns),
//! reported together as "N validation errors detected: ...", then semantic rules, reported
//! one at a time. [`Errors`] collects the first pass.

use super::schema::TableDef;
use crate::api::*;
use crate::model::ScalarType;
use std::collections::HashSet;

/// Most model-constraint failures listed in one message.
const LISTED_ERRORS_MAX: usize = 10;
/// Most local secondary indexes per table.
const LSI_COUNT_MAX: usize = 5;
/// Most global secondary indexes per table (DynamoDB's default quota).
const GSI_COUNT_MAX: usize = 20;
/// Most non-key attributes projected into all of a table's indexes.
const PROJECTED_ATTRIBUTES_MAX: usize = 100;
/// Longest name of an index key attribute.
const KEY_ATTRIBUTE_NAME_BYTES_MAX: usize = 255;

/// Model-constraint failures, reported together.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    list: Vec<String>,
}

impl Errors {
    /// Records that `value` at `member` failed `constraint`.
    pub(crate) fn push(&mut self, value: &str, member: &str, constraint: &str) {
        if self.list.len() < LISTED_ERRORS_MAX {
            self.list.push(format!(
                "Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
            ));
        }
    }

    /// The collected failures as one ValidationException, if any.
    pub(crate) fn finish(self) -> ApiResult<()> {
        match self.list.len() {
            0 => Ok(()),
            n => Err(ApiError::Validation(format!(
                "{n} validation error{} detected: {}",
                if n > 1 { "s" } else { "" },
                self.list.join("; ")
            ))),
        }
    }
}

/// Pattern and length constraints of a table or index name.
pub(crate) fn name_constraints(errors: &mut Errors, name: &str, member: &str) {
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !valid_chars || name.is_empty() {
        errors.push(
            name,
            member,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        );
    }
    let chars = name.chars().count();
    if chars < 3 {
        errors.push(
            name,
            member,
            "Member must have length greater than or equal to 3",
        );
    }
    if chars > 255 {
        errors.push(
            name,
            member,
            "Member must have length less than or equal to 255",
        );
    }
}

/// Validates the `TableName` of a control-plane operation (CreateTable, DescribeTable,
/// UpdateTable, DeleteTable), which DynamoDB checks before anything else.
pub(crate) fn control_table_name(name: &str) -> ApiResult<()> {
    if name.is_empty() {
        return Err(ApiError::validation(
            "The parameter 'TableName' is required but was not present in the request",
        ));
    }
    let chars = name.chars().count();
    if !(3..=255).contains(&chars) {
        return Err(ApiError::validation(
            "TableName must be at least 3 characters long and at most 255 characters long",
        ));
    }
    table_name(name)
}

/// Validates the `TableName` of a data-plane operation.
pub(crate) fn table_name(name: &str) -> ApiResult<()> {
    let mut errors = Errors::default();
    name_constraints(&mut errors, name, "tableName");
    errors.finish()
}

/// Validates the table names keying a batch's `RequestItems`. DynamoDB reports a bad name
/// as a constraint on the map's keys, listing every key constraint; the value it echoes is
/// the whole request, rendered differently by region, so only the name is shown here.
pub(crate) fn request_items_table_names<'a>(
    names: impl Iterator<Item = &'a String>,
) -> ApiResult<()> {
    let mut errors = Errors::default();
    for name in names {
        let mut one = Errors::default();
        name_constraints(&mut one, name, "requestItems");
        if !one.list.is_empty() {
            errors.push(
                &format!("{{{name}=...}}"),
                "requestItems",
                "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]",
            );
        }
    }
    errors.finish()
}

fn throughput_constraints(errors: &mut Errors, t: &ProvisionedThroughput, member: &str) {
    for (v, field) in [
        (t.read_capacity_units, "readCapacityUnits"),
        (t.write_capacity_units, "writeCapacityUnits"),
    ] {
        if v < 1 {
            errors.push(
                &v.to_string(),
                &format!("{member}.{field}"),
                "Member must have value greater than or equal to 1",
            );
        }
    }
}

fn key_schema_constraints(errors: &mut Errors, ks: &[KeySchemaElement], member: &str) {
    if ks.is_empty() {
        errors.push(
            "[]",
            member,
            "Member must have length greater than or equal to 1",
        );
    }
    if ks.len() > 2 {
        errors.push(
            &render_key_schema(ks),
            member,
            "Member must have length less than or equal to 2",
        );
    }
    for (i, k) in ks.iter().enumerate() {
        let len = k.attribute_name.len();
        if len == 0 || len > KEY_ATTRIBUTE_NAME_BYTES_MAX {
            errors.push(
                &k.attribute_name,
                &format!("{member}.{}.member.attributeName", i + 1),
                if len == 0 {
                    "Member must have length greater than or equal to 1"
                } else {
                    "Member must have length less than or equal to 255"
                },
            );
        }
    }
}

fn render_key_schema(ks: &[KeySchemaElement]) -> String {
    let parts: Vec<String> = ks
        .iter()
        .map(|k| {
            format!(
                "KeySchemaElement(attributeName={}, keyType={})",
                k.attribute_name,
                k.key_type.as_str()
            )
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// Model constraints of CreateTable.
fn create_table_constraints(input: &CreateTableInput) -> ApiResult<()> {
    control_table_name(&input.table_name)?;
    let mut errors = Errors::default();
    key_schema_constraints(&mut errors, &input.key_schema, "keySchema");
    if let Some(t) = &input.provisioned_throughput {
        throughput_constraints(&mut errors, t, "provisionedThroughput");
    }
    for (i, g) in input.global_secondary_indexes.iter().flatten().enumerate() {
        let member = format!("globalSecondaryIndexes.{}.member", i + 1);
        name_constraints(&mut errors, &g.index_name, &format!("{member}.indexName"));
        key_schema_constraints(&mut errors, &g.key_schema, &format!("{member}.keySchema"));
        if let Some(t) = &g.provisioned_throughput {
            throughput_constraints(&mut errors, t, &format!("{member}.provisionedThroughput"));
        }
        if g.projection.projection_type.is_none() && g.projection.non_key_attributes.is_none() {
            // DynamoDB requires a projection type; checked semantically below.
        }
    }
    for (i, l) in input.local_secondary_indexes.iter().flatten().enumerate() {
        let member = format!("localSecondaryIndexes.{}.member", i + 1);
        name_constraints(&mut errors, &l.index_name, &format!("{member}.indexName"));
        key_schema_constraints(&mut errors, &l.key_schema, &format!("{member}.keySchema"));
    }
    errors.finish()
}

/// Checks a key schema's shape: HASH first, RANGE second, distinct names.
fn key_schema_shape(ks: &[KeySchemaElement]) -> ApiResult<()> {
    // DynamoDB reports a repeated name before the key types.
    if let [first, second, ..] = ks {
        if second.attribute_name == first.attribute_name {
            return Err(ApiError::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
    }
    if ks.first().map(|k| k.key_type) != Some(KeyType::Hash) {
        return Err(ApiError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if ks
        .get(1)
        .is_some_and(|second| second.key_type != KeyType::Range)
    {
        return Err(ApiError::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    Ok(())
}

fn projection_rules(p: &Projection, projected: &mut HashSet<String>) -> ApiResult<()> {
    match p.projection_type {
        None => Err(invalid("Unknown ProjectionType: null")),
        Some(ProjectionType::Include) => match &p.non_key_attributes {
            Some(names) if !names.is_empty() => {
                projected.extend(names.iter().cloned());
                Ok(())
            }
            _ => Err(invalid(
                "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
            )),
        },
        Some(t) => match &p.non_key_attributes {
            Some(_) => Err(invalid(format!(
                "ProjectionType is {}, but NonKeyAttributes is specified",
                t.as_str()
            ))),
            None => Ok(()),
        },
    }
}

/// Validates a CreateTable request as DynamoDB does.
pub(crate) fn create_table(input: &CreateTableInput) -> ApiResult<()> {
    create_table_constraints(input)?;
    billing_rules(input)?;
    let defined: HashSet<&str> = input
        .attribute_definitions
        .iter()
        .map(|d| d.attribute_name.as_str())
        .collect();
    if defined.len() != input.attribute_definitions.len() {
        return Err(invalid("Cannot have two attributes with the same name"));
    }
    if input.key_schema.len() > input.attribute_definitions.len() {
        return Err(ApiError::validation(
            "Invalid KeySchema: Some index key attribute have no definition",
        ));
    }
    let mut used: HashSet<&str> = HashSet::new();
    let check_defined = |ks: &[KeySchemaElement], _used: &mut HashSet<&str>| -> ApiResult<()> {
        for k in ks {
            if !defined.contains(k.attribute_name.as_str()) {
                let keys: Vec<&str> = ks.iter().map(|k| k.attribute_name.as_str()).collect();
                let defs: Vec<&str> = input
                    .attribute_definitions
                    .iter()
                    .map(|d| d.attribute_name.as_str())
                    .collect();
                return Err(invalid(format!(
                    "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                    keys.join(", "),
                    defs.join(", ")
                )));
            }
        }
        Ok(())
    };
    check_defined(&input.key_schema, &mut used)?;
    key_schema_shape(&input.key_schema)?;
    let has_indexes =
        input.local_secondary_indexes.is_some() || input.global_secondary_indexes.is_some();
    if !has_indexes && input.key_schema.len() != defined.len() {
        return Err(invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    used.extend(input.key_schema.iter().map(|k| k.attribute_name.as_str()));
    let mut index_names: HashSet<&str> = HashSet::new();
    let mut projected: HashSet<String> = HashSet::new();
    lsi_rules(
        input,
        &mut index_names,
        &mut projected,
        &check_defined,
        &mut used,
    )?;
    gsi_rules(
        input,
        &mut index_names,
        &mut projected,
        &check_defined,
        &mut used,
    )?;
    if projected.len() > PROJECTED_ATTRIBUTES_MAX {
        return Err(invalid(
            "Cannot have more than 100 attributes in all projections across all indexes",
        ));
    }
    if used.len() != defined.len() {
        // AWS lists the definitions as given (the keys used come out sorted either way in
        // the messages seen, so they are sorted here).
        let defs: Vec<&str> = input
            .attribute_definitions
            .iter()
            .map(|d| d.attribute_name.as_str())
            .collect();
        let mut keys: Vec<&str> = used.iter().copied().collect();
        keys.sort_unstable();
        return Err(invalid(format!(
            "Some AttributeDefinitions are not used. AttributeDefinitions: [{}], keys used: [{}]",
            defs.join(", "),
            keys.join(", ")
        )));
    }
    stream_rules(input.stream_specification.as_ref())
}

type DefinedCheck<'a> = dyn Fn(&'a [KeySchemaElement], &mut HashSet<&'a str>) -> ApiResult<()> + 'a;

fn lsi_rules<'a>(
    input: &'a CreateTableInput,
    names: &mut HashSet<&'a str>,
    projected: &mut HashSet<String>,
    check_defined: &DefinedCheck<'a>,
    used: &mut HashSet<&'a str>,
) -> ApiResult<()> {
    let Some(lsis) = &input.local_secondary_indexes else {
        return Ok(());
    };
    if lsis.is_empty() {
        return Err(invalid("List of LocalSecondaryIndexes is empty"));
    }
    if input.key_schema.len() < 2 {
        return Err(invalid(
            "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ));
    }
    for l in lsis {
        check_defined(&l.key_schema, used)?;
        key_schema_shape(&l.key_schema)?;
        if l.key_schema.len() != 2 {
            return Err(invalid(format!(
                "Index KeySchema does not have a range key for index: {}",
                l.index_name
            )));
        }
        if l.key_schema[0].attribute_name != input.key_schema[0].attribute_name {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {}, table hash key: {}",
                l.index_name, l.key_schema[0].attribute_name, input.key_schema[0].attribute_name
            )));
        }
        projection_rules(&l.projection, projected)?;
        if !names.insert(l.index_name.as_str()) {
            return Err(invalid(format!("Duplicate index name: {}", l.index_name)));
        }
        used.extend(l.key_schema.iter().map(|k| k.attribute_name.as_str()));
    }
    if lsis.len() > LSI_COUNT_MAX {
        return Err(invalid(format!(
            "Number of LocalSecondaryIndexes exceeds per-table limit of {LSI_COUNT_MAX}"
        )));
    }
    Ok(())
}

fn gsi_rules<'a>(
    input: &'a CreateTableInput,
    names: &mut HashSet<&'a str>,
    projected: &mut HashSet<String>,
    check_defined: &DefinedCheck<'a>,
    used: &mut HashSet<&'a str>,
) -> ApiResult<()> {
    let Some(gsis) = &input.global_secondary_indexes else {
        return Ok(());
    };
    if gsis.is_empty() {
        return Err(invalid("List of GlobalSecondaryIndexes is empty"));
    }
    let on_demand = input.billing_mode == Some(BillingMode::PayPerRequest);
    for g in gsis {
        check_defined(&g.key_schema, used)?;
        key_schema_shape(&g.key_schema)?;
        projection_rules(&g.projection, projected)?;
        match (on_demand, g.provisioned_throughput.is_some()) {
            (false, false) => {
                return Err(invalid(format!(
                    "ProvisionedThroughput is not specified for index: {}",
                    g.index_name
                )))
            }
            (true, true) => {
                return Err(invalid(format!(
                    "ProvisionedThroughput should not be specified for index: {} when BillingMode is PAY_PER_REQUEST",
                    g.index_name
                )))
            }
            _ => {}
        }
        if !names.insert(g.index_name.as_str()) {
            return Err(invalid(format!("Duplicate index name: {}", g.index_name)));
        }
        used.extend(g.key_schema.iter().map(|k| k.attribute_name.as_str()));
    }
    if gsis.len() > GSI_COUNT_MAX {
        return Err(invalid(format!(
            "GlobalSecondaryIndex count exceeds the per-table limit of {GSI_COUNT_MAX}"
        )));
    }
    Ok(())
}

fn billing_rules(input: &CreateTableInput) -> ApiResult<()> {
    match (input.billing_mode.unwrap_or_default(), &input.provisioned_throughput) {
        (BillingMode::Provisioned, None) => Err(invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        )),
        (BillingMode::PayPerRequest, Some(_)) => Err(invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        )),
        (BillingMode::Provisioned, Some(t)) => throughput_limits(t),
        (BillingMode::PayPerRequest, None) => Ok(()),
    }
}

/// Per-table throughput ceiling (DynamoDB's default quota).
const TABLE_CAPACITY_UNITS_MAX: i64 = 40_000;
/// Largest capacity value DynamoDB accepts at all; above it the request is malformed, not
/// merely over quota.
const CAPACITY_UNITS_BOUND: i64 = 1_000_000_000_000;

fn throughput_limits(t: &ProvisionedThroughput) -> ApiResult<()> {
    for (units, name) in [
        (t.read_capacity_units, "ReadCapacityUnits"),
        (t.write_capacity_units, "WriteCapacityUnits"),
    ] {
        if units > CAPACITY_UNITS_BOUND {
            return Err(ApiError::Validation(format!(
                "Given value {units} for {name} is out of bounds"
            )));
        }
    }
    if t.read_capacity_units > TABLE_CAPACITY_UNITS_MAX
        || t.write_capacity_units > TABLE_CAPACITY_UNITS_MAX
    {
        return Err(ApiError::LimitExceeded(format!(
            "Subscriber limit exceeded: Provisioned throughput for the table exceeds the maximum of {TABLE_CAPACITY_UNITS_MAX} units"
        )));
    }
    Ok(())
}

fn stream_rules(stream: Option<&StreamSpecification>) -> ApiResult<()> {
    match stream {
        Some(s) if s.stream_enabled && s.stream_view_type.is_none() => Err(invalid(
            "You must specify a StreamViewType when enabling a DynamoDB Stream",
        )),
        // AWS's wording, "UpdateViewType" included.
        Some(s) if !s.stream_enabled && s.stream_view_type.is_some() => Err(invalid(
            "Table is being created with a stream disabled, UpdateViewType should not be specified",
        )),
        _ => Ok(()),
    }
}

/// Model constraints and shape rules of UpdateTable.
pub(crate) fn update_table(input: &UpdateTableInput) -> ApiResult<()> {
    let mut errors = Errors::default();
    if let Some(t) = &input.provisioned_throughput {
        throughput_constraints(&mut errors, t, "provisionedThroughput");
    }
    errors.finish()?;
    if input.billing_mode.is_none()
        && input.provisioned_throughput.is_none()
        && input.deletion_protection_enabled.is_none()
    {
        return Err(ApiError::validation(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
        ));
    }
    Ok(())
}

const SECONDS_PER_DAY: f64 = 86_400.0;
/// Capacity decreases a table may make at any time of a UTC day before the hourly limit.
const DECREASES_AT_ANY_TIME: i64 = 4;

/// A time as DynamoDB words it in limit messages: `Tuesday, November 24, 2026 5:03:09 AM UTC`.
fn utc_text(epoch_seconds: f64) -> String {
    const DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let secs = epoch_seconds.max(0.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let (h12, ampm) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{}, {} {day}, {year} {h12}:{minute:02}:{second:02} {ampm} UTC",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize]
    )
}

/// The definition after an UpdateTable at time `now`, with DynamoDB's rules on changes.
pub(crate) fn apply_update(
    old: &TableDef,
    input: &UpdateTableInput,
    now: f64,
) -> ApiResult<TableDef> {
    let mut def = old.clone();
    if let Some(p) = input.deletion_protection_enabled {
        def.deletion_protection = p;
    }
    let mode = input.billing_mode.unwrap_or(old.billing_mode);
    if let Some(m) = input.billing_mode {
        def.billing_mode_given = true;
        if m == BillingMode::PayPerRequest && old.billing_mode != m {
            if let Some(last) = old.last_update_to_pay_per_request {
                if now - last < SECONDS_PER_DAY {
                    return Err(ApiError::LimitExceeded(format!(
                        "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s). Last update at {}. Next update can be made at {}",
                        utc_text(last),
                        utc_text(last + SECONDS_PER_DAY)
                    )));
                }
            }
            def.last_update_to_pay_per_request = Some(now);
        }
    }
    def.billing_mode = mode;
    match (mode, input.provisioned_throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ))
        }
        (BillingMode::Provisioned, None) if input.billing_mode.is_some() => {
            return Err(invalid(
                "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
            ))
        }
        (BillingMode::Provisioned, Some(t)) => {
            throughput_limits(&t)?;
            let cur = &old.throughput;
            let unchanged = old.billing_mode == BillingMode::Provisioned
                && t.read_capacity_units == cur.read_capacity_units
                && t.write_capacity_units == cur.write_capacity_units;
            if unchanged {
                return Err(ApiError::validation(format!(
                    "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                    cur.read_capacity_units, t.read_capacity_units, cur.write_capacity_units, t.write_capacity_units
                )));
            }
            let t_new = &mut def.throughput;
            if t.read_capacity_units > cur.read_capacity_units
                || t.write_capacity_units > cur.write_capacity_units
            {
                t_new.last_increase_date_time = Some(now);
            }
            if t.read_capacity_units < cur.read_capacity_units
                || t.write_capacity_units < cur.write_capacity_units
            {
                let today = (now / SECONDS_PER_DAY).floor();
                let last = cur.last_decrease_date_time;
                let decreases = match last {
                    Some(l) if (l / SECONDS_PER_DAY).floor() == today => cur.number_of_decreases_today,
                    _ => 0,
                };
                // Four decreases at any time of a UTC day, then one an hour.
                if let Some(l) = last.filter(|_| decreases >= DECREASES_AT_ANY_TIME) {
                    if now - l < 3600.0 {
                        return Err(ApiError::LimitExceeded(format!(
                            "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first {DECREASES_AT_ANY_TIME} decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: {decreases}. Last decrease at {}. Next decrease can be made at {}",
                            utc_text(l),
                            utc_text(l + 3600.0)
                        )));
                    }
                }
                t_new.last_decrease_date_time = Some(now);
                t_new.number_of_decreases_today = decreases + 1;
            }
            t_new.read_capacity_units = t.read_capacity_units;
            t_new.write_capacity_units = t.write_capacity_units;
        }
        _ => {}
    }
    Ok(def)
}

/// The type of an attribute per the definitions (for key validation of index requests).
#[allow(dead_code, reason = "used by the secondary-index issue")]
pub(crate) fn defined_type(def: &TableDef, name: &str) -> Option<ScalarType> {
    def.attribute_definitions
        .iter()
        .find(|d| d.attribute_name == name)
        .map(|d| d.attribute_type)
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn utc_text_words_dates_as_dynamodb() {
        assert_eq!(
            super::utc_text(0.0),
            "Thursday, January 1, 1970 12:00:00 AM UTC"
        );
        assert_eq!(
            super::utc_text(1_795_496_589.0),
            "Tuesday, November 24, 2026 5:03:09 AM UTC"
        );
        assert_eq!(
            super::utc_text(951_825_600.0),
            "Tuesday, February 29, 2000 12:00:00 PM UTC"
        );
    }
}
