//! A real HTTP server on 127.0.0.1 for the model client tests, started by each test: it
//! answers each request with the next reply of its script (a status, headers and a body,
//! or an SSE stream sent piece by piece) and records every request (path, headers, JSON
//! body) for the test to assert. Also: reading a client's stream to its end, and putting a
//! reply back together from its deltas.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::Notify;
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError, ResponseBuilder,
};

/// One piece of a streamed body.
pub(crate) enum Piece {
    /// These bytes.
    Bytes(Vec<u8>),
    /// Waits until the test says so.
    Wait(Arc<Notify>),
    /// Goes quiet for this long.
    Pause(Duration),
    /// Drops the connection.
    Abort,
}

/// What the server answers to one request.
pub(crate) enum Reply {
    /// A status, headers and a body, after a delay.
    Http {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// A `text/event-stream` body, piece by piece.
    Stream(Vec<Piece>),
    /// Any status and content type, with a body sent piece by piece (no
    /// `Content-Length`): a huge or never-ending body.
    Pieces {
        status: u16,
        content_type: &'static str,
        pieces: Vec<Piece>,
    },
}

impl Reply {
    /// `200` with this JSON.
    pub(crate) fn json(value: Value) -> Self {
        Self::status(200, value)
    }

    /// This status with this JSON.
    pub(crate) fn status(status: u16, value: Value) -> Self {
        Self::Http {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: value.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// The same, with one more header.
    pub(crate) fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Self::Http { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }

    /// An SSE stream of these events (already framed), each sent as its own write.
    pub(crate) fn sse(events: impl IntoIterator<Item = String>) -> Self {
        Self::Stream(
            events
                .into_iter()
                .map(|event| Piece::Bytes(event.into_bytes()))
                .collect(),
        )
    }
}

/// An event as the Messages and Responses APIs send it: its `type` on the `event:` line,
/// then its JSON on the `data:` line.
pub(crate) fn typed_event(event: &Value) -> String {
    let kind = event["type"].as_str().unwrap_or("message");
    format!("event: {kind}\ndata: {event}\n\n")
}

/// An SSE stream of these events, each named by its `type` and sent as its own write.
pub(crate) fn typed_events(events: impl IntoIterator<Item = Value>) -> Reply {
    Reply::sse(events.into_iter().map(|event| typed_event(&event)))
}

/// A request the server received.
pub(crate) struct Received {
    pub path: String,
    pub headers: HeaderMap,
    /// The JSON body (`null` when it was not JSON).
    pub body: Value,
}

#[derive(Default)]
struct Server {
    script: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

/// A running server: its base URL (`http://127.0.0.1:{port}`) and what it received.
pub(crate) struct Running {
    pub base_url: String,
    server: Arc<Server>,
}

impl Running {
    /// What `read` says of each request received, in order.
    pub(crate) fn received<T>(&self, read: impl Fn(&Received) -> T) -> Vec<T> {
        self.server
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(read)
            .collect()
    }

    /// The JSON body of each request.
    pub(crate) fn bodies(&self) -> Vec<Value> {
        self.received(|received| received.body.clone())
    }

    /// The path of each request.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.received(|received| received.path.clone())
    }

    /// The value of header `name` in each request.
    pub(crate) fn header(&self, name: &str) -> Vec<Option<String>> {
        self.received(|received| {
            received
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        })
    }
}

/// Starts a server that answers `POST {path}` with `replies`, in order (a `418` once they
/// run out).
pub(crate) async fn serve(path: &str, replies: impl IntoIterator<Item = Reply>) -> Running {
    let server = Arc::new(Server {
        script: Mutex::new(replies.into_iter().collect()),
        received: Mutex::default(),
    });
    let app = Router::new()
        .route(path, post(answer))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("the port's address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Running {
        base_url: format!("http://{address}"),
        server,
    }
}

async fn answer(
    State(server): State<Arc<Server>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server
        .received
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Received {
            path: uri.path().to_owned(),
            headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
    let reply = server
        .script
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_front();
    let mut response = Response::builder();
    let body = match reply {
        None => {
            response = response.status(StatusCode::IM_A_TEAPOT);
            Body::from(r#"{"error": {"message": "the test server has no reply left"}}"#)
        }
        Some(Reply::Http {
            status,
            headers,
            body,
            delay,
        }) => {
            tokio::time::sleep(delay).await;
            response = response.status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            Body::from(body)
        }
        Some(Reply::Stream(pieces)) => {
            response = response.header("content-type", "text/event-stream");
            piecewise(pieces)
        }
        Some(Reply::Pieces {
            status,
            content_type,
            pieces,
        }) => {
            response = response.status(status).header("content-type", content_type);
            piecewise(pieces)
        }
    };
    response.body(body).expect("a valid response")
}

/// A body sent piece by piece.
fn piecewise(pieces: Vec<Piece>) -> Body {
    let pieces = futures::stream::iter(pieces).then(|piece| async move {
        match piece {
            Piece::Bytes(bytes) => Ok(Some(bytes)),
            Piece::Wait(notify) => {
                notify.notified().await;
                Ok(None)
            }
            Piece::Pause(pause) => {
                tokio::time::sleep(pause).await;
                Ok(None)
            }
            Piece::Abort => Err(std::io::Error::other("the test server hangs up")),
        }
    });
    let bytes = pieces.filter_map(|piece| async move { piece.transpose() });
    Body::from_stream(bytes)
}

/// Reads a stream to its end: its deltas, and the error that ended it, if any (after
/// which nothing may come).
pub(crate) async fn collect(
    model: &impl ChatModel,
    request: ChatRequest<'_>,
) -> (Vec<ChatDelta>, Option<ModelError>) {
    let mut deltas = Vec::new();
    let mut stream = model.stream(request);
    while let Some(item) = stream.next().await {
        match item {
            Ok(delta) => deltas.push(delta),
            Err(error) => {
                assert!(stream.next().await.is_none(), "nothing after an error");
                return (deltas, Some(error));
            }
        }
    }
    (deltas, None)
}

/// The deltas of the reply itself: without the one that names it (its id and model).
pub(crate) fn content(deltas: &[ChatDelta]) -> Vec<ChatDelta> {
    deltas
        .iter()
        .filter(|delta| !matches!(delta, ChatDelta::Metadata { .. }))
        .cloned()
        .collect()
}

/// The reply these deltas make.
pub(crate) fn rebuild(deltas: &[ChatDelta]) -> ChatResponse {
    let mut builder = ResponseBuilder::default();
    for delta in deltas {
        builder.push(delta.clone());
    }
    builder.finish()
}
