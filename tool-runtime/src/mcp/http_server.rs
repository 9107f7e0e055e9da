//! Streamable HTTP: rmcp's service behind axum, stateless, with the request limit and the
//! answers to unreadable requests (see `triage`) in front of it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use rmcp::model::ServerJsonRpcMessage;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::handler::Handler;
use super::triage::{too_large, Triage};
use super::{McpServer, HTTP_PATH};

/// A running streamable HTTP server ([`McpServer::serve_http`]). Dropping the handle
/// leaves it running; [`shutdown`](Self::shutdown) stops it.
///
/// ```
/// use tool_runtime::mcp::McpServer;
/// use tool_runtime::ToolRegistry;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:0".parse()?).await?;
/// println!("MCP endpoint: {}", server.url());
/// server.shutdown().await?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct HttpServer {
    local_addr: SocketAddr,
    /// rmcp's token (in its configuration): cancelling it ends its requests too.
    stop: CancellationToken,
    task: JoinHandle<io::Result<()>>,
}

impl HttpServer {
    /// The address it listens on (with the port the system picked for port 0).
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:0".parse()?).await?;
    /// assert!(server.local_addr().ip().is_loopback());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The endpoint a client connects to: `http://ADDR/mcp`.
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:0".parse()?).await?;
    /// assert_eq!(server.url(), format!("http://{}/mcp", server.local_addr()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn url(&self) -> String {
        format!("http://{}{HTTP_PATH}", self.local_addr)
    }

    /// Stops accepting connections, lets the requests under way finish, and returns when
    /// the server has stopped.
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:0".parse()?).await?;
    /// let addr = server.local_addr();
    /// server.shutdown().await?;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The server had failed (accepting connections).
    pub async fn shutdown(self) -> io::Result<()> {
        self.stop.cancel();
        self.wait().await
    }

    /// Waits until the server stops: for a program whose work is serving.
    ///
    /// ```no_run
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:8080".parse().unwrap()).await?;
    /// eprintln!("serving {}", server.url());
    /// server.wait().await
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The server failed (accepting connections).
    pub async fn wait(self) -> io::Result<()> {
        self.task.await.map_err(io::Error::other)?
    }
}

/// Binds `addr` and serves `handler` there on a task of its own.
pub(super) async fn serve(
    handler: Handler,
    server: &McpServer,
    addr: SocketAddr,
) -> io::Result<HttpServer> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let limit = server.max_request_bytes;
    let mut config = StreamableHttpServerConfig::default()
        // Tools only: no server-to-client messages, no state between requests.
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(limit);
    if let Some(hosts) = &server.allowed_hosts {
        config = config.with_allowed_hosts(hosts.clone());
    }
    let stop = config.cancellation_token.clone();
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let app = Router::new()
        .route_service(HTTP_PATH, service)
        .route_layer(middleware::from_fn_with_state(limit, screen));
    let shutdown = stop.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
    });
    Ok(HttpServer {
        local_addr,
        stop,
        task,
    })
}

/// Reads a POST's body up to the limit (413 past it) and answers what rmcp cannot read;
/// passes the rest on.
async fn screen(State(limit): State<usize>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => {
            return reply(StatusCode::PAYLOAD_TOO_LARGE, &too_large(limit, None));
        }
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("reading the body failed: {error}"),
            )
                .into_response()
        }
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    // rmcp answers other media types itself (415), and reads its messages again.
    if is_json {
        match Triage::of(&bytes) {
            Triage::Serve(_) | Triage::Drop => {}
            // With an id the client reads it as its request's answer (as rmcp sends
            // errors); without one it is a bad request.
            Triage::Answer(answer) => {
                let status = match &answer {
                    ServerJsonRpcMessage::Error(error) if error.id.is_some() => StatusCode::OK,
                    _ => StatusCode::BAD_REQUEST,
                };
                return reply(status, &answer);
            }
            Triage::NotJson(error) => {
                let answer = ServerJsonRpcMessage::error(
                    rmcp::ErrorData::parse_error(format!("the body is not JSON: {error}"), None),
                    None,
                );
                return reply(StatusCode::BAD_REQUEST, &answer);
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// `message` as a JSON response with `status`.
fn reply(status: StatusCode, message: &ServerJsonRpcMessage) -> Response {
    let body = serde_json::to_vec(message).expect("a JSON-RPC message serializes");
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
