//! A failed attempt at a request, and whether another attempt may succeed: what the
//! sending, the body reading and the streaming all report, and the retry loop reads.

use std::time::Duration;

use super::chain;
use crate::chat::ModelError;

/// A failed attempt, and whether another may succeed.
#[derive(Debug)]
pub(super) struct Failure {
    pub(super) error: ModelError,
    pub(super) retryable: bool,
    pub(super) retry_after: Option<Duration>,
}

impl Failure {
    pub(super) fn fatal(error: ModelError) -> Self {
        Self {
            error,
            retryable: false,
            retry_after: None,
        }
    }

    /// A transport failure that another attempt may not meet.
    pub(super) fn transient(error: ModelError) -> Self {
        Self {
            error,
            retryable: true,
            retry_after: None,
        }
    }

    pub(super) fn timeout(limit: Duration) -> Self {
        Self::transient(ModelError::Transport(format!("no answer within {limit:?}")))
    }

    pub(super) fn http(error: reqwest::Error) -> Self {
        if error.is_builder() {
            return Self::fatal(ModelError::Other(format!(
                "could not make the request: {}",
                chain(&error)
            )));
        }
        Self::transient(ModelError::Transport(chain(&error)))
    }
}
