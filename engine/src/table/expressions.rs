//! Glue between requests and the expression module: which expressions a request carries,
//! parsed once against one placeholder context, and applied to items.

use crate::api::*;
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
        check_placeholders_without_expressions(
            req.names.is_some(),
            req.values.is_some(),
            &[(ExpressionKind::Condition, req.expression.is_some())],
        )?;
        let return_item_on_failure =
            req.on_failure == Some(ReturnValuesOnConditionCheckFailure::AllOld);
        let Some(text) = req.expression else {
            return Ok(WriteCondition {
                condition: None,
                return_item_on_failure,
            });
        };
        let values = normalized(req.values)?;
        let mut ctx = ExpressionContext::new(req.names, values.as_ref())?;
        let condition = parse_condition(text, ExpressionKind::Condition, &mut ctx)?;
        ctx.finish()?;
        Ok(WriteCondition {
            condition: Some(condition),
            return_item_on_failure,
        })
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

fn normalized(values: Option<AttributeValues>) -> ApiResult<Option<AttributeValues>> {
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
}

impl Projection {
    /// Parses the projection of a GetItem (or BatchGetItem table entry).
    pub(crate) fn parse(
        expression: Option<&str>,
        names: Option<&AttributeNames>,
    ) -> ApiResult<Self> {
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
        Ok(Projection { paths: Some(paths) })
    }

    /// True when the request asked for specific attributes.
    pub(crate) fn is_specific(&self) -> bool {
        self.paths.is_some()
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
}

impl ReadPlan {
    /// Parses a Query's (`schema` given) or a Scan's expressions with one context.
    pub(crate) fn parse(
        e: ReadExpressions<'_>,
        schema: Option<&PrimaryKeySchema>,
    ) -> ApiResult<Self> {
        let mut kinds = vec![
            (ExpressionKind::Projection, e.projection.is_some()),
            (ExpressionKind::Filter, e.filter.is_some()),
        ];
        if schema.is_some() {
            kinds.push((ExpressionKind::KeyCondition, e.key_condition.is_some()));
        }
        check_placeholders_without_expressions(e.names.is_some(), e.values.is_some(), &kinds)?;
        let values = normalized(e.values)?;
        let mut ctx = ExpressionContext::new(e.names, values.as_ref())?;
        let key_cond = match (schema, e.key_condition) {
            (Some(_), Some(text)) => Some(parse_condition(
                text,
                ExpressionKind::KeyCondition,
                &mut ctx,
            )?),
            (Some(_), None) => {
                return Err(ApiError::validation(
                    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
                ))
            }
            (None, _) => None,
        };
        let filter = match e.filter {
            Some(text) => Some(parse_condition(text, ExpressionKind::Filter, &mut ctx)?),
            None => None,
        };
        let projection = match e.projection {
            Some(text) => Projection {
                paths: Some(parse_projection(text, &mut ctx)?),
            },
            None => Projection::default(),
        };
        // DynamoDB reports unused placeholders before it checks the conditions against the
        // key schema.
        ctx.finish()?;
        let key = match (schema, key_cond) {
            (Some(schema), Some(cond)) => {
                let sort = schema.sort.as_ref().map(|s| (s.name.as_str(), s.scalar));
                Some(key_condition(
                    cond,
                    (schema.partition.name.as_str(), schema.partition.scalar),
                    sort,
                )?)
            }
            _ => None,
        };
        if let (Some(schema), Some(cond)) = (schema, &filter) {
            check_filter_keys(cond, schema)?;
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

/// A Query's filter may not test the key attributes.
fn check_filter_keys(cond: &Condition, schema: &PrimaryKeySchema) -> ApiResult<()> {
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
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: {k}"
        ))),
        None => Ok(()),
    }
}
