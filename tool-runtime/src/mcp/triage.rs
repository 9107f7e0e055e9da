//! Messages rmcp cannot read, and the error each gets back.
//!
//! rmcp answers a message it cannot read without its id (stdio) or with a bare HTTP 415:
//! the client never learns which request failed. Here a request gets a JSON-RPC error
//! with its id whenever it has a readable one, so the client's call fails at once.

use rmcp::model::{ClientJsonRpcMessage, RequestId, ServerJsonRpcMessage};
use rmcp::ErrorData;
use serde_json::Value;

use super::clip::clip_message;

/// What to do with one incoming message.
pub(super) enum Triage {
    /// A message rmcp reads: serve it.
    Serve(ClientJsonRpcMessage),
    /// A message it cannot read, and the error to send back.
    Answer(ServerJsonRpcMessage),
    /// Not JSON (the text of the parse error). Over stdio it is dropped, as both official
    /// SDKs do: an answer to noise invites more noise. Over HTTP it is answered -32700.
    NotJson(String),
    /// A notification or response that cannot be read: nothing may answer it.
    Drop,
}

impl Triage {
    /// What `bytes`, one JSON-RPC message, are.
    pub(super) fn of(bytes: &[u8]) -> Self {
        let error = match serde_json::from_slice::<ClientJsonRpcMessage>(bytes) {
            Ok(message) => return Self::Serve(message),
            Err(error) => error,
        };
        let message = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(message)) => message,
            Ok(_) => {
                return Self::answer(
                    None,
                    ErrorData::invalid_request(
                        "a message is one JSON-RPC object (batches are not part of MCP)",
                        None,
                    ),
                )
            }
            Err(error) => return Self::NotJson(clip_message(&error.to_string()).into_owned()),
        };
        let method = message.get("method");
        let id = match message.get("id") {
            // A request: it has a method and an id.
            Some(id) if method.is_some() => id,
            // A notification.
            None | Some(Value::Null) if method.is_some() => return Self::Drop,
            // A response (from the client, to a request of ours).
            _ if message.contains_key("result") || message.contains_key("error") => {
                return Self::Drop
            }
            _ => {
                return Self::answer(
                    None,
                    ErrorData::invalid_request("a request needs a `method` and an `id`", None),
                )
            }
        };
        let Ok(id) = serde_json::from_value::<RequestId>(id.clone()) else {
            return Self::answer(
                None,
                ErrorData::invalid_request("a request's `id` is a string or an integer", None),
            );
        };
        let Some(Value::String(_)) = method else {
            return Self::answer(
                Some(id),
                ErrorData::invalid_request("a request's `method` is a string", None),
            );
        };
        if message.get("jsonrpc") != Some(&Value::from("2.0")) {
            return Self::answer(
                Some(id),
                ErrorData::invalid_request("`jsonrpc` must be \"2.0\"", None),
            );
        }
        // By-position params are valid JSON-RPC, but MCP names every parameter: the
        // request is well formed and its params are wrong, -32602 (rmcp cannot read it
        // even as a custom request, which wants an object).
        if let Some(Value::Array(_)) = message.get("params") {
            return Self::answer(
                Some(id),
                ErrorData::invalid_params(
                    "MCP takes a request's `params` by name: an object, not an array",
                    None,
                ),
            );
        }
        // Every method reads (those rmcp does not know, or whose params do not fit, as
        // custom requests: see the handler), so something else is wrong.
        Self::answer(
            Some(id),
            ErrorData::invalid_request(
                format!(
                    "not a JSON-RPC request: {}",
                    clip_message(&error.to_string())
                ),
                None,
            ),
        )
    }

    fn answer(id: Option<RequestId>, error: ErrorData) -> Self {
        Self::Answer(ServerJsonRpcMessage::error(error, id))
    }
}

/// The answer to a request larger than `limit` bytes: -32600, with the request's id when
/// it could be read.
pub(super) fn too_large(limit: usize, id: Option<RequestId>) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::error(
        ErrorData::invalid_request(
            format!("the request is larger than the server's limit of {limit} bytes"),
            Some(serde_json::json!({"maxRequestBytes": limit})),
        ),
        id,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::Triage;

    /// The answer to `message`, as JSON.
    fn answer(message: Value) -> Value {
        match Triage::of(message.to_string().as_bytes()) {
            Triage::Answer(answer) => serde_json::to_value(answer).unwrap(),
            Triage::Serve(_) => panic!("served: {message}"),
            Triage::NotJson(_) | Triage::Drop => panic!("not answered: {message}"),
        }
    }

    #[test]
    fn requests_without_a_usable_id_or_method_are_invalid_requests() {
        for (message, id) in [
            (json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]), None),
            (
                json!({"jsonrpc": "2.0", "id": {"n": 1}, "method": "ping"}),
                None,
            ),
            (json!({"jsonrpc": "2.0", "id": 1}), None),
            (json!({"jsonrpc": "2.0", "id": "a", "method": 5}), Some("a")),
            (
                json!({"jsonrpc": "1.0", "id": "b", "method": "tools/list"}),
                Some("b"),
            ),
        ] {
            let reply = answer(message.clone());
            assert_eq!(reply["error"]["code"], -32600, "{message}");
            assert_eq!(reply.get("id").and_then(Value::as_str), id, "{message}");
        }
    }

    #[test]
    fn params_by_position_are_invalid_params() {
        for method in ["tools/call", "tools/list"] {
            let message = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": [1]});
            let reply = answer(message.clone());
            assert_eq!(reply["error"]["code"], -32602, "{message}");
            assert_eq!(reply["id"], 7, "{message}");
        }
    }

    #[test]
    fn readable_messages_are_served_and_unanswerable_ones_dropped() {
        let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
        assert!(matches!(Triage::of(list.as_bytes()), Triage::Serve(_)));
        let bad_notification =
            json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": 3});
        assert!(matches!(
            Triage::of(bad_notification.to_string().as_bytes()),
            Triage::Drop
        ));
        assert!(matches!(Triage::of(b"{\"jsonrpc\": "), Triage::NotJson(_)));
    }
}
