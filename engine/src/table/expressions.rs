//! Glue between requests and the expression module: which expressions a request carries,
//! parsed once against one placeholder context, and applied to items.

use crate::api::*;
use crate::expr::legacy;
use crate::expr::{
    check_placeholders_without_expressions, evaluate, key_condition, normalize_values,
    parse_condition, parse_projection, project, Condition, ExpressionContext, ExpressionKind,
    KeyCondition, Path,
};
use crate::model::{Item, PrimaryKeySchema};

/// The condition parameters of one write.
#[derive(Debug, Default)]
pub(crate) struct ConditionRequest<'a> {
    pub(crate) expression: Option<&'a str>,
    pub(crate) names: Option<&'a AttributeNames>,
    pub(crate) values: Option<AttributeValues>,
    pub(crate) on_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Legacy `Expected` (instead of the expression).
    pub(crate) expected: Option<&'a Expected>,
    /// How the `expected` entries combine.
    pub(crate) conditional_operator: Option<ConditionalOperator>,
}

/// A parsed `ConditionExpression` (or none) of a write.
#[derive(Debug)]
pub(crate) struct WriteCondition {
    condition: Option<Condition>,
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    return_item_on_failure: bool,
}

impl WriteCondition {
    /// Parses the condition of a PutItem or DeleteItem request (or a transaction's put,
    /// delete or condition check).
    pub(crate) fn parse(req: ConditionRequest<'_>) -> ApiResult<Self> {
        legacy::check_mixing(
            &[("ConditionExpression", req.expression.is_some())],
            &[("Expected", req.expected.is_some())],
        )?;
        check_placeholders_without_expressions(
            req.names.is_some(),
            req.values.is_some(),
            &[(ExpressionKind::Condition, req.expression.is_some())],
        )?;
        legacy::check_conditional_operator(
            req.conditional_operator,
            req.expected.map(|e| e.len()),
        )?;
        let condition = match (req.expression, req.expected) {
            (Some(text), _) => {
                let values = normalized(req.values)?;
                let mut ctx = ExpressionContext::new(req.names, values.as_ref())?;
                let condition = parse_condition(text, ExpressionKind::Condition, &mut ctx)?;
                ctx.finish()?;
                Some(condition)
            }
            (None, Some(expected)) => {
                legacy::expected_condition(expected, req.conditional_operator)?
            }
            (None, None) => None,
        };
        Ok(WriteCondition::from_parts(condition, req.on_failure))
    }

    /// Builds a condition from an already parsed expression (UpdateItem parses its
    /// condition together with its update).
    pub(crate) fn from_parts(
        condition: Option<Condition>,
        on_failure: Option<ReturnValuesOnConditionCheckFailure>,
    ) -> Self {
        WriteCondition {
            condition,
            return_item_on_failure: on_failure == Some(ReturnValuesOnConditionCheckFailure::AllOld),
        }
    }

    /// True if the item as it is (`old`, or no item) meets the condition.
    pub(crate) fn holds(&self, old: Option<&Item>) -> bool {
        let Some(cond) = &self.condition else {
            return true;
        };
        let empty = Item::new();
        evaluate(cond, old.unwrap_or(&empty))
    }

    /// Fails with ConditionalCheckFailedException unless the item as it is meets the
    /// condition; the exception carries the item when the request asked for `ALL_OLD`.
    pub(crate) fn check(&self, old: Option<&Item>) -> ApiResult<()> {
        if self.holds(old) {
            Ok(())
        } else {
            Err(ApiError::ConditionalCheckFailed {
                item: self.failure_item(old),
            })
        }
    }

    /// The item a failed check reports: the old item, if asked for and present.
    pub(crate) fn failure_item(&self, old: Option<&Item>) -> Option<Item> {
        if self.return_item_on_failure {
            old.cloned()
        } else {
            None
        }
    }
}

/// Normalizes ExpressionAttributeValues (sets sorted), with DynamoDB's messages.
pub(crate) fn normalized(values: Option<AttributeValues>) -> ApiResult<Option<AttributeValues>> {
    match values {
        None => Ok(None),
        Some(mut v) => {
            normalize_values(&mut v)?;
            Ok(Some(v))
        }
    }
}

/// The attributes a read returns: all, or the paths of a `ProjectionExpression`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Projection {
    paths: Option<Vec<Path>>,
    /// The legacy `AttributesToGet` named them (for Select's messages).
    legacy: bool,
}

impl Projection {
    /// Parses the projection of a GetItem (or BatchGetItem table entry, or TransactGetItems
    /// read): `ProjectionExpression` or the legacy `AttributesToGet`.
    pub(crate) fn parse(
        expression: Option<&str>,
        names: Option<&AttributeNames>,
        attributes_to_get: Option<&[String]>,
    ) -> ApiResult<Self> {
        legacy::check_mixing(
            &[("ProjectionExpression", expression.is_some())],
            &[("AttributesToGet", attributes_to_get.is_some())],
        )?;
        if let Some(names_to_get) = attributes_to_get {
            check_placeholders_without_expressions(names.is_some(), false, &[])?;
            return Ok(Projection {
                paths: Some(legacy::attributes_to_get(names_to_get)?),
                legacy: true,
            });
        }
        check_placeholders_without_expressions(
            names.is_some(),
            false,
            &[(ExpressionKind::Projection, expression.is_some())],
        )?;
        let Some(text) = expression else {
            return Ok(Projection::default());
        };
        let mut ctx = ExpressionContext::new(names, None)?;
        let paths = parse_projection(text, &mut ctx)?;
        ctx.finish()?;
        Ok(Projection {
            paths: Some(paths),
            legacy: false,
        })
    }

    /// The parameter that asked for specific attributes, if any.
    pub(crate) fn specific(&self) -> Option<&'static str> {
        match (&self.paths, self.legacy) {
            (None, _) => None,
            (Some(_), true) => Some("AttributesToGet"),
            (Some(_), false) => Some("ProjectionExpression"),
        }
    }

    /// DynamoDB refuses paths that reach inside a key attribute.
    pub(crate) fn check_key_paths(&self, schema: &PrimaryKeySchema) -> ApiResult<()> {
        self.paths
            .iter()
            .flatten()
            .try_for_each(|p| check_key_path(p, schema))
    }

    /// `item` reduced to the projected attributes.
    pub(crate) fn apply(&self, item: Item) -> Item {
        match &self.paths {
            None => item,
            Some(paths) => project(&item, paths),
        }
    }
}

/// The expressions of a Query or Scan, parsed.
#[derive(Debug)]
pub(crate) struct ReadPlan {
    /// The key condition (Query only).
    pub(crate) key: Option<KeyCondition>,
    /// The filter, applied after the page is read.
    pub(crate) filter: Option<Condition>,
    /// The attributes returned.
    pub(crate) projection: Projection,
}

/// The expression parameters of a Query or Scan.
pub(crate) struct ReadExpressions<'a> {
    pub(crate) key_condition: Option<&'a str>,
    pub(crate) filter: Option<&'a str>,
    pub(crate) projection: Option<&'a str>,
    pub(crate) names: Option<&'a AttributeNames>,
    pub(crate) values: Option<AttributeValues>,
    /// Legacy `KeyConditions` (Query).
    pub(crate) key_conditions: Option<&'a Conditions>,
    /// Legacy `QueryFilter` or `ScanFilter`.
    pub(crate) legacy_filter: Option<&'a Conditions>,
    /// How the legacy filter's entries combine.
    pub(crate) conditional_operator: Option<ConditionalOperator>,
    /// Legacy `AttributesToGet`.
    pub(crate) attributes_to_get: Option<&'a [String]>,
}

impl ReadPlan {
    /// Parses a Query's (`schema` given) or a Scan's expressions, or their legacy
    /// counterparts, with one placeholder context.
    pub(crate) fn parse(
        e: ReadExpressions<'_>,
        schema: Option<&PrimaryKeySchema>,
    ) -> ApiResult<Self> {
        let is_query = schema.is_some();
        check_read_mixing(&e, is_query)?;
        let mut kinds = vec![
            (ExpressionKind::Projection, e.projection.is_some()),
            (ExpressionKind::Filter, e.filter.is_some()),
        ];
        if is_query {
            kinds.push((ExpressionKind::KeyCondition, e.key_condition.is_some()));
        }
        check_placeholders_without_expressions(e.names.is_some(), e.values.is_some(), &kinds)?;
        legacy::check_conditional_operator(
            e.conditional_operator,
            e.legacy_filter.map(|f| f.len()),
        )?;
        if let (Some(conds), None) = (e.key_conditions, e.key_condition) {
            legacy::check_key_conditions(conds)?;
        }
        let values = normalized(e.values)?;
        let mut ctx = ExpressionContext::new(e.names, values.as_ref())?;
        let key_cond = match (schema, e.key_condition) {
            (Some(_), Some(text)) => Some(parse_condition(
                text,
                ExpressionKind::KeyCondition,
                &mut ctx,
            )?),
            (Some(_), None) if e.key_conditions.is_none() => {
                return Err(ApiError::validation(
                    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
                ))
            }
            _ => None,
        };
        let filter = match (e.filter, e.legacy_filter) {
            (Some(text), _) => Some(parse_condition(text, ExpressionKind::Filter, &mut ctx)?),
            (None, Some(conds)) => legacy::filter_conditions(conds, e.conditional_operator)?,
            (None, None) => None,
        };
        let projection = match (e.projection, e.attributes_to_get) {
            (Some(text), _) => Projection {
                paths: Some(parse_projection(text, &mut ctx)?),
                legacy: false,
            },
            (None, Some(names)) => Projection {
                paths: Some(legacy::attributes_to_get(names)?),
                legacy: true,
            },
            (None, None) => Projection::default(),
        };
        // DynamoDB reports unused placeholders before it checks the conditions against the
        // key schema.
        ctx.finish()?;
        let key = match schema {
            Some(schema) => {
                let partition = (schema.partition.name.as_str(), schema.partition.scalar);
                let sort = schema.sort.as_ref().map(|s| (s.name.as_str(), s.scalar));
                match (key_cond, e.key_conditions) {
                    (Some(cond), _) => Some(key_condition(cond, partition, sort)?),
                    (None, Some(conds)) => Some(legacy::key_conditions(conds, partition, sort)?),
                    (None, None) => None,
                }
            }
            None => None,
        };
        if let (Some(schema), Some(cond)) = (schema, &filter) {
            let param = if e.legacy_filter.is_some() && e.filter.is_none() {
                "QueryFilter"
            } else {
                "Filter Expression"
            };
            check_filter_keys(cond, schema, param)?;
        }
        Ok(ReadPlan {
            key,
            filter,
            projection,
        })
    }

    /// DynamoDB refuses paths that reach inside a key attribute: projection first, then the
    /// filter.
    pub(crate) fn check_key_paths(&self, schema: &PrimaryKeySchema) -> ApiResult<()> {
        self.projection.check_key_paths(schema)?;
        let mut result = Ok(());
        if let Some(filter) = &self.filter {
            filter.visit_paths(&mut |p: &Path| {
                if result.is_ok() {
                    result = check_key_path(p, schema);
                }
            });
        }
        result
    }

    /// True if `item` passes the filter.
    pub(crate) fn keeps(&self, item: &Item) -> bool {
        self.filter.as_ref().is_none_or(|f| evaluate(f, item))
    }
}

/// A document path may name a key attribute but not reach inside it.
fn check_key_path(path: &Path, schema: &PrimaryKeySchema) -> ApiResult<()> {
    match path.head() {
        Some(head) if path.elements.len() > 1 && schema.is_key(head) => Err(ApiError::Validation(format!(
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {head}"
        ))),
        _ => Ok(()),
    }
}

/// Refuses expression and legacy parameters mixed in one Query or Scan, naming them in
/// DynamoDB's order.
fn check_read_mixing(e: &ReadExpressions<'_>, is_query: bool) -> ApiResult<()> {
    let mut expressions = vec![
        ("ProjectionExpression", e.projection.is_some()),
        ("FilterExpression", e.filter.is_some()),
    ];
    let filter_name = if is_query {
        "QueryFilter"
    } else {
        "ScanFilter"
    };
    let mut legacy_params = vec![
        ("AttributesToGet", e.attributes_to_get.is_some()),
        (filter_name, e.legacy_filter.is_some()),
        ("ConditionalOperator", e.conditional_operator.is_some()),
    ];
    if is_query {
        expressions.push(("KeyConditionExpression", e.key_condition.is_some()));
        legacy_params.push(("KeyConditions", e.key_conditions.is_some()));
    }
    legacy::check_mixing(&expressions, &legacy_params)
}

/// A Query's filter may not test the key attributes.
fn check_filter_keys(cond: &Condition, schema: &PrimaryKeySchema, param: &str) -> ApiResult<()> {
    let mut found = None;
    cond.visit_paths(&mut |p: &Path| {
        if found.is_none() {
            if let Some(head) = p.head() {
                if schema.is_key(head) {
                    found = Some(head.to_owned());
                }
            }
        }
    });
    match found {
        Some(k) => Err(ApiError::Validation(format!(
            "{param} can only contain non-primary key attributes: Primary key attribute: {k}"
        ))),
        None => Ok(()),
    }
}
