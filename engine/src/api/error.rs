//! The one error type of the item API, mirroring DynamoDB's exceptions one to one.
//!
//! Every front end maps an [`ApiError`] by [`ApiError::error_type`] (DynamoDB's exception
//! name) and [`ApiError::message`] (DynamoDB's wording), so the mapping lives in one place.

use crate::model::Item;

/// Result alias of the item API.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// Why one action of a transaction was cancelled (for `TransactionCanceledException`).
#[derive(Debug, Clone, PartialEq)]
pub struct CancellationReason {
    /// DynamoDB's code: `None`, `ConditionalCheckFailed`, `TransactionConflict`, ...
    pub code: String,
    /// Human-readable reason, absent for `None`.
    pub message: Option<String>,
    /// The item as it was, when the action asked for `ALL_OLD` on failure.
    pub item: Option<Item>,
}

/// An error of the item API, in DynamoDB's own shape.
///
/// Caller mistakes (`Validation`, `ResourceNotFound`, `ConditionalCheckFailed`, ...) are
/// kept apart from system faults (`Internal`, which wraps the storage engine's error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed or breaks a rule or limit.
    #[error("{0}")]
    Validation(String),
    /// The table (or index) does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// The table exists already, or is busy.
    #[error("{0}")]
    ResourceInUse(String),
    /// A condition expression evaluated to false.
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item as it was, when `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
        item: Option<Item>,
    },
    /// The table's provisioned throughput was exceeded.
    #[error("The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")]
    ProvisionedThroughputExceeded,
    /// Too many requests (control plane or on-demand).
    #[error("{0}")]
    Throttling(String),
    /// An account or table limit was reached.
    #[error("{0}")]
    LimitExceeded(String),
    /// A transaction was cancelled; one reason per action, in request order.
    #[error("{message}")]
    TransactionCanceled {
        /// DynamoDB's summary message listing the codes.
        message: String,
        /// One reason per action.
        reasons: Vec<CancellationReason>,
    },
    /// A write conflicts with an in-flight transaction.
    #[error("{0}")]
    TransactionConflict(String),
    /// A client request token was reused with different parameters.
    #[error("{0}")]
    IdempotentParameterMismatch(String),
    /// A transaction with this client request token is still running.
    #[error("{0}")]
    TransactionInProgress(String),
    /// The storage engine failed: an I/O error, corruption or a poisoned engine.
    #[error("Internal server error: {0}")]
    Internal(#[from] crate::Error),
}

impl ApiError {
    /// A `ValidationException` with `message`.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::Validation(message.into())
    }

    /// The `ResourceNotFoundException` item operations raise for a missing table.
    pub fn table_not_found() -> Self {
        ApiError::ResourceNotFound("Requested resource not found".to_owned())
    }

    /// DynamoDB's exception name, e.g. `ValidationException`.
    pub fn error_type(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "ValidationException",
            ApiError::ResourceNotFound(_) => "ResourceNotFoundException",
            ApiError::ResourceInUse(_) => "ResourceInUseException",
            ApiError::ConditionalCheckFailed { .. } => "ConditionalCheckFailedException",
            ApiError::ProvisionedThroughputExceeded => "ProvisionedThroughputExceededException",
            ApiError::Throttling(_) => "ThrottlingException",
            ApiError::LimitExceeded(_) => "LimitExceededException",
            ApiError::TransactionCanceled { .. } => "TransactionCanceledException",
            ApiError::TransactionConflict(_) => "TransactionConflictException",
            ApiError::IdempotentParameterMismatch(_) => "IdempotentParameterMismatchException",
            ApiError::TransactionInProgress(_) => "TransactionInProgressException",
            ApiError::Internal(_) => "InternalServerError",
        }
    }

    /// DynamoDB's message text.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// True for errors a client may retry unchanged (as the AWS SDKs do).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::ProvisionedThroughputExceeded
                | ApiError::Throttling(_)
                | ApiError::LimitExceeded(_)
                | ApiError::TransactionConflict(_)
                | ApiError::TransactionInProgress(_)
                | ApiError::Internal(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_type_validation_names_dynamodb_exception() {
        let e = ApiError::validation("bad");
        assert_eq!(e.error_type(), "ValidationException");
        assert_eq!(e.message(), "bad");
        assert!(!e.is_retryable());
        let e = ApiError::ConditionalCheckFailed { item: None };
        assert_eq!(e.message(), "The conditional request failed");
    }
}
