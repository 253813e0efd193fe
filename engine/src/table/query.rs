//! Query and the page logic it shares with Scan: Limit, the 1 MB page, LastEvaluatedKey,
//! FilterExpression after the read, projection and Select.

use super::catalog::Table;
use super::expressions::{ReadExpressions, ReadPlan};
use super::write::decode;
use crate::api::*;
use crate::db::Database;
use crate::expr::SortKeyCondition;
use crate::lsm::{Direction, KeyRange};
use crate::model::{item_size_bytes, key::encode_key_value, AttributeValue, Item};
use std::ops::Bound;

/// Most bytes of items one Query or Scan page reads (before filter and projection).
pub const PAGE_BYTES_MAX: usize = 1024 * 1024;

/// The settings of one Query or Scan page.
pub(crate) struct PageSpec<'a> {
    pub(crate) plan: &'a ReadPlan,
    pub(crate) limit: Option<usize>,
    pub(crate) count_only: bool,
    /// ConsistentRead, for the read units.
    pub(crate) consistent: bool,
    /// ReturnConsumedCapacity.
    pub(crate) capacity: Option<ReturnConsumedCapacity>,
}

/// A page being filled.
pub(crate) struct Page {
    out: QueryOutput,
    items: Vec<Item>,
    bytes: usize,
}

impl Page {
    pub(crate) fn new() -> Self {
        Page {
            out: QueryOutput::default(),
            items: Vec::new(),
            bytes: 0,
        }
    }

    /// Reads entries until the page is full. Returns the storage key of the last entry
    /// read when the page stopped early (Limit or 1 MB reached).
    pub(crate) fn fill(
        &mut self,
        table: &Table,
        spec: &PageSpec<'_>,
        entries: impl Iterator<Item = crate::Result<(Vec<u8>, Vec<u8>)>>,
    ) -> ApiResult<Option<Vec<u8>>> {
        for entry in entries {
            let (key, value) = entry?;
            let item = decode(table, &value)?;
            self.out.scanned_count += 1;
            self.bytes += item_size_bytes(&item);
            if spec.plan.keeps(&item) {
                self.out.count += 1;
                if !spec.count_only {
                    self.items.push(spec.plan.projection.apply(item));
                }
            }
            let limit_reached = spec
                .limit
                .is_some_and(|l| self.out.scanned_count as usize >= l);
            if limit_reached || self.bytes >= PAGE_BYTES_MAX {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    /// True once Limit or the page size stopped reading.
    pub(crate) fn is_full(&self, spec: &PageSpec<'_>) -> bool {
        spec.limit
            .is_some_and(|l| self.out.scanned_count as usize >= l)
            || self.bytes >= PAGE_BYTES_MAX
    }

    /// The response, with `last_key` (a storage key) as LastEvaluatedKey.
    pub(crate) fn finish(
        mut self,
        table: &Table,
        spec: &PageSpec<'_>,
        last_key: Option<Vec<u8>>,
    ) -> QueryOutput {
        let units = self.read_units(spec);
        if !spec.count_only {
            self.out.items = Some(self.items);
        }
        self.out.last_evaluated_key = last_key.and_then(|k| table.key.key_from_storage(&k));
        self.out.consumed_capacity = super::capacity::single(
            spec.capacity,
            &table.def.name,
            super::capacity::Kind::Read,
            units,
        );
        self.out
    }

    /// The page's read units: every item evaluated counts, filtered or not, rounded once.
    pub(crate) fn read_units(&self, spec: &PageSpec<'_>) -> f64 {
        super::capacity::read_units(self.bytes, spec.consistent)
    }
}

/// What a Query or Scan asks for besides its expressions.
pub(crate) struct ReadOptions<'a> {
    pub(crate) index_name: Option<&'a str>,
    pub(crate) limit: Option<i64>,
    pub(crate) select: Option<Select>,
    /// Query (true) words Select errors as a model-error list; Scan (false) bare.
    pub(crate) is_query: bool,
}

/// Parses a Query's or Scan's expressions against `table` and validates its options:
/// returns the plan, the Limit and whether only counts are wanted.
pub(crate) fn prepare(
    table: &Table,
    expressions: ReadExpressions<'_>,
    options: ReadOptions<'_>,
) -> ApiResult<(ReadPlan, Option<usize>, bool)> {
    let schema = options.is_query.then_some(&table.key);
    let plan = ReadPlan::parse(expressions, schema)?;
    plan.check_key_paths(&table.key)?;
    let (limit, count_only) = read_settings(
        table,
        options.index_name,
        options.limit,
        options.select,
        plan.projection.specific(),
        options.is_query,
    )?;
    Ok((plan, limit, count_only))
}

/// Validates Limit, Select and IndexName; returns (limit, count_only).
fn read_settings(
    table: &Table,
    index_name: Option<&str>,
    limit: Option<i64>,
    select: Option<Select>,
    specific: Option<&'static str>,
    wrap: bool,
) -> ApiResult<(Option<usize>, bool)> {
    let limit = match limit {
        Some(l) if l < 1 => {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )))
        }
        Some(l) => Some(usize::try_from(l).unwrap_or(usize::MAX)),
        None => None,
    };
    if let Some(index) = index_name {
        let exists = table.def.gsis.iter().any(|g| g.index_name == index)
            || table.def.lsis.iter().any(|l| l.index_name == index);
        if !exists {
            return Err(ApiError::Validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        return Err(ApiError::Validation(format!(
            "Reading secondary index {index} is not supported yet: Tessera stores index definitions but maintains indexes only from the secondary-index release on"
        )));
    }
    // Query words these errors as a one-item model error list, Scan bare (as DynamoDB does).
    let fail = |m: &str| {
        Err(ApiError::Validation(if wrap {
            format!("1 validation error detected: {m}")
        } else {
            m.to_owned()
        }))
    };
    let count_only = match (select, specific) {
        (None | Some(Select::AllAttributes), None) => false,
        (None | Some(Select::SpecificAttributes), Some(_)) => false,
        (Some(Select::SpecificAttributes), None) => {
            return fail("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
        }
        (Some(Select::AllAttributes), Some(param)) => {
            return fail(&format!("Cannot specify the {param} when choosing to get ALL_ATTRIBUTES"))
        }
        (Some(Select::Count), Some(param)) => {
            return fail(&format!("Cannot specify the {param} when choosing to get only the Count"))
        }
        (Some(Select::Count), None) => true,
        (Some(Select::AllProjectedAttributes), _) => {
            return fail("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
        }
    };
    Ok((limit, count_only))
}

/// The storage key a validated ExclusiveStartKey stands for.
pub(crate) fn start_key(table: &Table, esk: &Item) -> ApiResult<Vec<u8>> {
    table.key.check_key_map(esk).map_err(|e| {
        ApiError::Validation(format!(
            "The provided starting key is invalid: {}",
            e.message()
        ))
    })?;
    Ok(table.key.storage_key(table.def.id, esk).key)
}

fn with_value(prefix: &[u8], v: &AttributeValue) -> Vec<u8> {
    let mut k = prefix.to_vec();
    encode_key_value(v, &mut k);
    k
}

/// The key range of one partition that a sort key condition selects.
fn sort_range(prefix: &[u8], sort: Option<&SortKeyCondition>) -> KeyRange {
    let all = KeyRange::prefix(prefix);
    let end = all.end.clone();
    let inc = |v: &AttributeValue| Bound::Included(with_value(prefix, v));
    let exc = |v: &AttributeValue| Bound::Excluded(with_value(prefix, v));
    match sort {
        None => all,
        Some(SortKeyCondition::Eq(v)) => KeyRange {
            start: inc(v),
            end: inc(v),
        },
        Some(SortKeyCondition::Lt(v)) => KeyRange {
            start: all.start,
            end: exc(v),
        },
        Some(SortKeyCondition::Le(v)) => KeyRange {
            start: all.start,
            end: inc(v),
        },
        Some(SortKeyCondition::Gt(v)) => KeyRange { start: exc(v), end },
        Some(SortKeyCondition::Ge(v)) => KeyRange { start: inc(v), end },
        Some(SortKeyCondition::Between(a, b)) => KeyRange {
            start: inc(a),
            end: inc(b),
        },
        Some(SortKeyCondition::BeginsWith(v)) => KeyRange::prefix(&with_value(prefix, v)),
    }
}

/// Narrows `range` to the keys after `start` in `direction`.
pub(crate) fn after(range: KeyRange, start: Vec<u8>, direction: Direction) -> KeyRange {
    match direction {
        Direction::Forward => KeyRange {
            start: tighter(
                range.start,
                Bound::Excluded(start),
                std::cmp::Ordering::Greater,
            ),
            end: range.end,
        },
        Direction::Reverse => KeyRange {
            start: range.start,
            end: tighter(range.end, Bound::Excluded(start), std::cmp::Ordering::Less),
        },
    }
}

/// The tighter of two bounds of the same end: the key further in direction `inward`
/// (Greater for starts, Less for ends); on equal keys the exclusive one.
fn tighter(a: Bound<Vec<u8>>, b: Bound<Vec<u8>>, inward: std::cmp::Ordering) -> Bound<Vec<u8>> {
    let key = |x: &Bound<Vec<u8>>| match x {
        Bound::Included(k) | Bound::Excluded(k) => Some(k.clone()),
        Bound::Unbounded => None,
    };
    match (key(&a), key(&b)) {
        (None, _) => b,
        (_, None) => a,
        (Some(ka), Some(kb)) => match ka.cmp(&kb) {
            std::cmp::Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
            std::cmp::Ordering::Equal => b,
            o if o == inward => a,
            _ => b,
        },
    }
}

/// The partition value a Query reads, from its KeyConditionExpression (or legacy
/// KeyConditions), parsed and checked against the table's key schema as the Query itself
/// does. The cache uses it to tie a cached Query to the partition whose writes must
/// invalidate it.
pub fn query_partition(
    input: &QueryInput,
    key: &crate::model::key::PrimaryKeySchema,
) -> ApiResult<AttributeValue> {
    let plan = ReadPlan::parse(
        ReadExpressions {
            key_condition: input.key_condition_expression.as_deref(),
            filter: input.filter_expression.as_deref(),
            projection: input.projection_expression.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.clone(),
            key_conditions: input.key_conditions.as_ref(),
            legacy_filter: input.query_filter.as_ref(),
            conditional_operator: input.conditional_operator,
            attributes_to_get: input.attributes_to_get.as_deref(),
        },
        Some(key),
    )?;
    plan.key
        .map(|k| k.partition)
        .ok_or_else(|| ApiError::validation("Query key condition not supported"))
}

impl Database {
    /// Query: items of one partition, in sort key order, a page at a time.
    pub fn query(&self, input: QueryInput) -> ApiResult<QueryOutput> {
        super::validate::table_name(&input.table_name)?;
        let table = self.table(&input.table_name)?;
        let (plan, limit, count_only) = prepare(
            &table,
            ReadExpressions {
                key_condition: input.key_condition_expression.as_deref(),
                filter: input.filter_expression.as_deref(),
                projection: input.projection_expression.as_deref(),
                names: input.expression_attribute_names.as_ref(),
                values: input.expression_attribute_values,
                key_conditions: input.key_conditions.as_ref(),
                legacy_filter: input.query_filter.as_ref(),
                conditional_operator: input.conditional_operator,
                attributes_to_get: input.attributes_to_get.as_deref(),
            },
            ReadOptions {
                index_name: input.index_name.as_deref(),
                limit: input.limit,
                select: input.select,
                is_query: true,
            },
        )?;
        let Some(cond) = &plan.key else {
            return Err(ApiError::validation("Query key condition not supported"));
        };
        table.key.check_partition_value(&cond.partition)?;
        let prefix = table.key.partition_prefix(table.def.id, &cond.partition);
        let partition = [super::throttle::partition_of(&prefix)];
        self.admit(&table, super::throttle::Op::Read, &partition)?;
        let direction = if input.scan_index_forward.unwrap_or(true) {
            Direction::Forward
        } else {
            Direction::Reverse
        };
        let mut range = sort_range(&prefix.key, cond.sort.as_ref());
        if let Some(esk) = &input.exclusive_start_key {
            let start = start_key(&table, esk)?;
            if esk.get(&table.key.partition.name) != Some(&cond.partition) {
                return Err(ApiError::validation(
                    "The provided starting key is outside query boundaries based on provided conditions",
                ));
            }
            let sort_value = table.key.sort.as_ref().and_then(|s| esk.get(&s.name));
            if let (Some(cond), Some(v)) = (cond.sort.as_ref(), sort_value) {
                if !cond.matches(v) {
                    return Err(ApiError::validation(
                        "The provided starting key does not match the range key predicate",
                    ));
                }
            }
            range = after(range, start, direction);
        }
        let spec = PageSpec {
            plan: &plan,
            limit,
            count_only,
            consistent: input.consistent_read == Some(true),
            capacity: input.return_consumed_capacity,
        };
        let mut page = Page::new();
        let entries = self.store.range(&prefix.partition, range, direction);
        let last = page.fill(&table, &spec, entries)?;
        let units = page.read_units(&spec);
        self.charge(&table, super::throttle::Op::Read, units, &partition);
        Ok(page.finish(&table, &spec, last))
    }
}
