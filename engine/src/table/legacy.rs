//! Legacy (pre-expression) parameters not wired yet are refused, never silently ignored.

use crate::api::{ApiError, ApiResult};

/// Fails naming the first legacy parameter given.
pub(crate) fn reject(params: &[(&str, bool)]) -> ApiResult<()> {
    match params.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(ApiError::Validation(format!(
            "The legacy parameter {name} is not supported yet; use the expression parameters instead"
        ))),
        None => Ok(()),
    }
}
