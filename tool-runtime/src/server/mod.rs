//! The OpenAI Assistants v2 API, served over HTTP: code written for OpenAI's Assistants
//! (`client.beta.assistants`, `threads`, `runs`, `submit_tool_outputs`, the streaming
//! event handlers) runs against any [`ChatModel`] by changing its `base_url`, with the
//! server's own `#[tool]` functions available to its assistants.
//!
//! Runs are driven by the crate's own loop ([`Assistant`](crate::run::Assistant) and
//! [`Run`](crate::run::Run)); objects are kept in a [`Store`] ([`SqliteStore`]).
//! [docs/assistants-server.md] in the repository describes the endpoints, what differs
//! from OpenAI's service, how an assistant enables server tools, and the bounds.
//!
//! - **Client tools**: the function tools an assistant declares run on the client: a run
//!   pauses in `requires_action` for their outputs.
//! - **Server tools**: the registry's tools an assistant names in its metadata key
//!   `server_tools` (names separated by commas, or `*`) run on the server. One marked
//!   `destructive` or `needs_approval` pauses the run in `requires_action` like a client
//!   tool; the submitted output `approve` runs it, any other output refuses it and is what
//!   the model reads as the reason.
//! - **Bounds**: bearer authentication on every endpoint; request bodies up to
//!   [`with_max_request_bytes`](AssistantsServer::with_max_request_bytes) (4 MiB),
//!   received within [`with_body_timeout`](AssistantsServer::with_body_timeout) (30 s), request
//!   heads within [`with_header_timeout`](AssistantsServer::with_header_timeout) (10 s), at most
//!   [`with_max_connections`](AssistantsServer::with_max_connections) (256) connections; a run
//!   asks the model at most [`with_max_turns`](AssistantsServer::with_max_turns) (10) times and
//!   expires after [`with_run_timeout`](AssistantsServer::with_run_timeout) (10 minutes).
//!
//! [docs/assistants-server.md]: https://github.com/tool-runtime/tool-runtime/blob/main/docs/assistants-server.md

mod call_ids;
mod error;
mod objects;
mod routes;
mod runner;
mod sqlite;
mod store;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::chat::ChatModel;
use crate::http;
use crate::http::accept::{self, ConnectionLimits};
use crate::http::body::{self, closing, BodyEnd};
use crate::registry::ToolRegistry;
use error::ApiError;
use runner::Shared;

pub use sqlite::SqliteStore;
pub use store::{Kind, ListQuery, Page, Record, Store, StoreError, Write};

const DEFAULT_MAX_TURNS: u32 = 10;
const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// An Assistants API server: a model, the server's own tools, a store, and a key.
///
/// ```
/// use tool_runtime::server::{AssistantsServer, SqliteStore};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
/// use tool_runtime::ToolRegistry;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let model = ScriptedModel::new([ScriptedReply::text("Hello!")]);
/// let server = AssistantsServer::new(model, SqliteStore::in_memory()?, "secret-key")
///     .with_registry(ToolRegistry::new())
///     .serve("127.0.0.1:0".parse()?)
///     .await?;
/// println!("base_url: {}", server.url()); // http://127.0.0.1:PORT/v1
/// server.shutdown().await?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct AssistantsServer {
    model: Arc<dyn ChatModel>,
    store: Arc<dyn Store>,
    registry: ToolRegistry,
    api_key: String,
    max_request_bytes: usize,
    header_timeout: Duration,
    body_timeout: Duration,
    max_connections: usize,
    max_turns: u32,
    run_timeout: Duration,
}

impl std::fmt::Debug for AssistantsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssistantsServer")
            .field("store", &self.store)
            .field("registry", &self.registry)
            .field("max_request_bytes", &self.max_request_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_turns", &self.max_turns)
            .field("run_timeout", &self.run_timeout)
            .finish_non_exhaustive()
    }
}

impl AssistantsServer {
    /// A server whose runs ask `model` (every run, whatever model name its assistant
    /// carries), keeping its objects in `store`, answering requests that carry
    /// `Authorization: Bearer {api_key}`. No server tools until
    /// [`with_registry`](Self::with_registry).
    pub fn new(
        model: impl ChatModel + 'static,
        store: impl Store + 'static,
        api_key: impl Into<String>,
    ) -> Self {
        Self::from_shared(Arc::new(model), Arc::new(store), api_key)
    }

    /// A server with a model and a store shared with other code (a model another part of
    /// the program also asks, a store it also reads).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tool_runtime::chat::ChatModel;
    /// use tool_runtime::server::{AssistantsServer, SqliteStore, Store};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// let model: Arc<dyn ChatModel> = Arc::new(ScriptedModel::new([ScriptedReply::text("Hi")]));
    /// let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory()?);
    /// let server = AssistantsServer::from_shared(model, store.clone(), "secret-key");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_shared(
        model: Arc<dyn ChatModel>,
        store: Arc<dyn Store>,
        api_key: impl Into<String>,
    ) -> Self {
        Self {
            model: Arc::new(call_ids::CallIds(model)),
            store,
            registry: ToolRegistry::new(),
            api_key: api_key.into(),
            max_request_bytes: http::MAX_REQUEST_BYTES,
            header_timeout: http::HEADER_TIMEOUT,
            body_timeout: http::BODY_TIMEOUT,
            max_connections: http::MAX_CONNECTIONS,
            max_turns: DEFAULT_MAX_TURNS,
            run_timeout: DEFAULT_RUN_TIMEOUT,
        }
    }

    /// The server's own tools, which an assistant enables by naming them in its metadata
    /// key `server_tools` (default: none).
    pub fn with_registry(mut self, registry: ToolRegistry) -> Self {
        self.registry = registry;
        self
    }

    /// The largest request body, in bytes (default 4 MiB); a larger one is answered 413.
    pub fn with_max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// How long a connection may take to send a request's head, counted from when it
    /// opened or its previous response was sent (default 10 s).
    pub fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long a request's body may take to arrive (default 30 s); past it, 408.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The most connections open at once (default 256); more wait until one closes.
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// The most model requests of a run (default 10); a run that needs more ends
    /// `incomplete` with `incomplete_details.reason` `max_turns`.
    pub fn with_max_turns(mut self, turns: u32) -> Self {
        self.max_turns = turns;
        self
    }

    /// How long a run may take, waiting for the client included (default 10 minutes, the
    /// reference's `expires_at`); past it, the run ends `expired`.
    pub fn with_run_timeout(mut self, timeout: Duration) -> Self {
        self.run_timeout = timeout;
        self
    }

    /// Binds `addr` and serves on a task of its own. First, the runs the store holds as
    /// in progress (their process stopped while driving them) end `failed`, saying so; a
    /// run waiting in `requires_action` still takes its outputs.
    ///
    /// # Errors
    ///
    /// The address cannot be bound, or the store cannot be read.
    pub async fn serve(self, addr: SocketAddr) -> io::Result<ServerHandle> {
        let recovered = runner::recover(self.store.as_ref()).map_err(io::Error::other)?;
        if recovered > 0 {
            tracing::warn!("assistants: {recovered} run(s) were in progress when the server last stopped; they ended failed");
        }
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            store: self.store,
            model: self.model,
            server_tools: self.registry.names().map(str::to_owned).collect(),
            registry: Arc::new(self.registry),
            gate: Mutex::new(()),
            active: Mutex::new(HashMap::new()),
            max_turns: self.max_turns,
            run_timeout: self.run_timeout,
        });
        let screen = Screen {
            api_key: Arc::from(self.api_key.as_str()),
            limit: self.max_request_bytes,
            body_timeout: self.body_timeout,
        };
        let app = routes::router(shared)
            .fallback(|request: Request| async move {
                ApiError::no_route(request.method().as_str(), request.uri().path()).into_response()
            })
            .layer(middleware::from_fn_with_state(screen, screen_request))
            .layer(DefaultBodyLimit::max(self.max_request_bytes));
        let limits = ConnectionLimits {
            label: "assistants",
            header_timeout: self.header_timeout,
            max_connections: self.max_connections,
        };
        let stop = CancellationToken::new();
        let task = tokio::spawn(accept::serve(listener, app, limits, stop.clone()));
        Ok(ServerHandle {
            local_addr,
            stop,
            task,
        })
    }
}

/// A running server ([`AssistantsServer::serve`]). Dropping the handle leaves it running;
/// [`shutdown`](Self::shutdown) stops it.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: CancellationToken,
    task: JoinHandle<io::Result<()>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The `base_url` a client uses: `http://ADDR/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.local_addr)
    }

    /// Stops accepting connections, lets the requests under way finish, and returns when
    /// the server has stopped. Runs being driven go on until the process ends.
    ///
    /// # Errors
    ///
    /// The server had failed (accepting connections).
    pub async fn shutdown(self) -> io::Result<()> {
        self.stop.cancel();
        self.wait().await
    }

    /// Waits until the server stops.
    ///
    /// # Errors
    ///
    /// The server failed (accepting connections).
    pub async fn wait(self) -> io::Result<()> {
        self.task.await.map_err(io::Error::other)?
    }
}

/// What the middleware in front of the endpoints needs.
#[derive(Clone, Debug)]
struct Screen {
    api_key: Arc<str>,
    limit: usize,
    body_timeout: Duration,
}

/// Whether `given` is `expected`, in a time that does not tell how much of it matched.
fn same_key(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// Every request: a `tracing` span, the key checked (401), the body read within the size
/// limit (413) and the body timeout (408).
async fn screen_request(
    axum::extract::State(screen): axum::extract::State<Screen>,
    request: Request,
    next: Next,
) -> Response {
    let span = tracing::info_span!(
        "assistants_request",
        method = %request.method(),
        path = %request.uri().path(),
        status = tracing::field::Empty,
    );
    async move {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(|value| value.as_bytes().strip_prefix(b"Bearer ").unwrap_or(b""));
        let response = match given {
            Some(key) if same_key(key, screen.api_key.as_bytes()) => {
                let (parts, body) = request.into_parts();
                let deadline = Instant::now() + screen.body_timeout;
                match body::read_limited(&parts.headers, body, screen.limit, deadline).await {
                    BodyEnd::Read(bytes) => {
                        next.run(Request::from_parts(parts, Body::from(bytes)))
                            .await
                    }
                    BodyEnd::TooLarge { drained } => {
                        tracing::warn!(
                            "assistants: refused a request body over {} bytes",
                            screen.limit
                        );
                        let answer = ApiError::too_large(screen.limit).into_response();
                        if drained {
                            answer
                        } else {
                            closing(answer)
                        }
                    }
                    BodyEnd::TimedOut => closing(
                        ApiError::timed_out(format!(
                            "The request body did not arrive within {:?}.",
                            screen.body_timeout
                        ))
                        .into_response(),
                    ),
                    BodyEnd::Failed(error) => closing(
                        ApiError::invalid(format!(
                            "Reading the body failed: {}",
                            error::clip(&error)
                        ))
                        .into_response(),
                    ),
                }
            }
            other => ApiError::unauthorized(other.is_some()).into_response(),
        };
        tracing::Span::current().record("status", response.status().as_u16());
        response
    }
    .instrument(span)
    .await
}
