//! Errors in the Assistants API's shape: `{"error": {"message", "type", "param", "code"}}`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::store::StoreError;

/// An error answer: 400 for a request the API refuses, 401 for a missing or wrong key, 404
/// for an unknown id or path, 413 for a body over the limit, 500 for the server's own
/// failures (the store's).
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    kind: &'static str,
    param: Option<String>,
    code: Option<&'static str>,
}

impl ApiError {
    /// 400: a malformed request, or one the state of its objects does not allow.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            param: None,
            code: None,
        }
    }

    /// 400 about one parameter.
    pub(crate) fn param(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            param: Some(param.into()),
            ..Self::invalid(message)
        }
    }

    /// 404 for the object of `what` with `id`, as the reference words it.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("No {what} found with id '{}'.", clip(id)),
            kind: "invalid_request_error",
            param: None,
            code: None,
        }
    }

    /// 404 for a path the server does not serve.
    pub(crate) fn no_route(method: &str, path: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("Invalid URL ({method} {})", clip(path)),
            kind: "invalid_request_error",
            param: None,
            code: None,
        }
    }

    /// 401: no key, or not the configured one.
    pub(crate) fn unauthorized(given: bool) -> Self {
        let message = if given {
            "Incorrect API key provided. The server expects the key it was started with."
        } else {
            "You didn't provide an API key. Provide it in an Authorization header: \
             `Authorization: Bearer YOUR_KEY`."
        };
        Self {
            status: StatusCode::UNAUTHORIZED,
            message: message.to_owned(),
            kind: "invalid_request_error",
            param: None,
            code: Some(if given {
                "invalid_api_key"
            } else {
                "missing_api_key"
            }),
        }
    }

    /// 413: the body is over the limit.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("The request body is over the server's limit of {limit} bytes."),
            kind: "invalid_request_error",
            param: None,
            code: Some("request_too_large"),
        }
    }

    /// 408: the body did not arrive in time.
    pub(crate) fn timed_out(message: String) -> Self {
        Self {
            status: StatusCode::REQUEST_TIMEOUT,
            message,
            kind: "invalid_request_error",
            param: None,
            code: None,
        }
    }

    /// 500: the server failed, not the request.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
            kind: "server_error",
            param: None,
            code: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!("assistants: {error}");
        Self::internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "message": self.message,
            "type": self.kind,
            "param": self.param,
            "code": self.code,
        }});
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// Text from a request, cut to a length fit for an error message.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}
