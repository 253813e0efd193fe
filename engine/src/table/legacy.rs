//! UpdateItem's legacy `AttributeUpdates`, turned into the actions of an UpdateExpression.

use crate::api::*;
use crate::expr::{Path, PathElement, SetOperand, SetValue, UpdateAction, UpdateExpression};
use crate::model::AttributeValue;

fn invalid(detail: String) -> ApiError {
    ApiError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// Converts `AttributeUpdates` (in attribute-name order) into update actions: PUT sets the
/// attribute, DELETE without a value removes it, DELETE with a set removes those elements,
/// ADD adds to a number or a set.
pub(crate) fn attribute_updates(updates: &AttributeUpdates) -> ApiResult<UpdateExpression> {
    let mut names: Vec<&String> = updates.keys().collect();
    names.sort();
    let mut actions = Vec::with_capacity(names.len());
    for name in names {
        let update = &updates[name];
        let path = Path {
            elements: vec![PathElement::Attribute(name.clone())],
        };
        let mut value = update.value.clone();
        if let Some(v) = value.as_mut() {
            v.normalize(1)?;
        }
        let action = match (update.action.unwrap_or_default(), value) {
            (AttributeAction::Put, Some(v)) => {
                UpdateAction::Set(path, SetValue::Operand(SetOperand::Value(v)))
            }
            (AttributeAction::Put | AttributeAction::Add, None) => {
                return Err(invalid(
                    "Only DELETE action is allowed when no attribute value is specified".to_owned(),
                ))
            }
            (AttributeAction::Delete, None) => UpdateAction::Remove(path),
            (AttributeAction::Delete, Some(v)) => match v {
                AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => {
                    UpdateAction::Delete(path, v)
                }
                other => {
                    return Err(invalid(format!(
                        "DELETE action with value is not supported for the type {}",
                        other.type_name()
                    )))
                }
            },
            (AttributeAction::Add, Some(v)) => match v {
                AttributeValue::N(_)
                | AttributeValue::Ss(_)
                | AttributeValue::Ns(_)
                | AttributeValue::Bs(_) => UpdateAction::Add(path, v),
                other => {
                    return Err(invalid(format!(
                        "ADD action is not supported for the type {}",
                        other.type_name()
                    )))
                }
            },
        };
        actions.push(action);
    }
    Ok(UpdateExpression { actions })
}
