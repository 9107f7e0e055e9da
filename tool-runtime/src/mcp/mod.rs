//! Serve a [`ToolRegistry`] to any MCP client (feature `mcp`), over stdio or streamable
//! HTTP, with [rmcp](https://docs.rs/rmcp), the official Rust SDK.
//!
//! - `tools/list` is [`registry.export(ToolFormat::Mcp)`](ToolRegistry::export): each
//!   tool's `inputSchema`, and `annotations` from its markers.
//! - `tools/call` goes through [`ToolRegistry::dispatch`]. Whatever the tool or its
//!   arguments do wrong is a result with `isError: true` holding the text the model reads
//!   (arguments of the wrong type, a tool's `Err`, a panic, a timeout); a call the server
//!   cannot route is a JSON-RPC error `-32602` (Invalid params): an unknown or hidden
//!   tool, arguments that are not an object.
//! - Tools that need a person's approval ([`ToolMarkers::needs_approval`](crate::definition::ToolMarkers::needs_approval): destructive
//!   ones and those marked `needs_approval`) are neither listed nor callable unless
//!   [`McpServer::allow_destructive`] says so; a call to one is the same error as a call to
//!   a tool that does not exist.
//! - A request larger than [`McpServer::with_max_request_bytes`] (4 MiB by default) is
//!   refused, as HTTP 413 or a JSON-RPC error `-32600`, and the server goes on serving.
//!   Over HTTP a client still writing a larger body reads the 413: up to 64 MiB past the
//!   limit is read and thrown away first.
//! - Over HTTP every connection is bounded: [`McpServer::with_header_timeout`] (10 s, the
//!   keep-alive idle timeout too), [`McpServer::with_body_timeout`] (30 s), at most
//!   [`McpServer::with_max_connections`] (256) open at once; each logs a `tracing`
//!   warning when it bites. The server is stateless (no sessions to hold or expire).
//! - `notifications/cancelled` stops the call it names, over stdio and over HTTP (where
//!   it must come from the call's IP address).
//! - Errors quote client text (a tool name, a method) cut to 80 characters and `...`.
//!
//! ```
//! use tool_runtime::mcp::McpServer;
//! use tool_runtime::{tool, ToolRegistry};
//!
//! /// Add two numbers.
//! ///
//! /// # Arguments
//! /// * `a` - The first number.
//! /// * `b` - The second number.
//! #[tool(read_only)]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut registry = ToolRegistry::new();
//! registry.register(Add)?;
//!
//! // Streamable HTTP on a port the system picks; `serve_stdio` speaks on stdin/stdout.
//! let server = McpServer::new(registry).serve_http(([127, 0, 0, 1], 0).into()).await?;
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! assert!(server.url().ends_with("/mcp"));
//! server.shutdown().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod cancel;
mod clip;
mod handler;
mod http_server;
mod scan;
mod stdio;
mod triage;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};

pub use http_server::HttpServer;

use crate::definition::ToolDefinition;
use crate::format::ToolFormat;
use crate::registry::ToolRegistry;

/// The largest request the server reads by default: 4 MiB, as rmcp's HTTP transport.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = crate::http::MAX_REQUEST_BYTES;

/// How long an HTTP connection may take to send a request's head by default: 10 s (see
/// [`McpServer::with_header_timeout`]).
pub const DEFAULT_HEADER_TIMEOUT: Duration = crate::http::HEADER_TIMEOUT;

/// How long an HTTP request's body may take to arrive by default: 30 s (see
/// [`McpServer::with_body_timeout`]).
pub const DEFAULT_BODY_TIMEOUT: Duration = crate::http::BODY_TIMEOUT;

/// The most HTTP connections open at once by default: 256, well under the usual 1,024
/// file descriptors of a process (see [`McpServer::with_max_connections`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = crate::http::MAX_CONNECTIONS;

/// The path the streamable HTTP endpoint answers on.
pub const HTTP_PATH: &str = "/mcp";

/// An MCP server for the tools of a [`ToolRegistry`]: configure it, then serve it over
/// [stdio](McpServer::serve_stdio) or [streamable HTTP](McpServer::serve_http).
///
/// ```
/// use tool_runtime::mcp::McpServer;
/// use tool_runtime::{tool, ToolRegistry};
///
/// /// Say hello.
/// #[tool(read_only)]
/// fn hello() -> &'static str { "hello" }
///
/// /// Forget everything.
/// #[tool(destructive)]
/// fn forget() {}
///
/// let mut registry = ToolRegistry::new();
/// registry.register(Hello)?.register(Forget)?;
///
/// let server = McpServer::new(registry).with_name("greeter", "1.0.0");
/// let names: Vec<_> = server.tools().iter().map(|tool| tool["name"].clone()).collect();
/// assert_eq!(names, ["hello"]); // `forget` is destructive: hidden unless allowed
/// assert_eq!(server.allow_destructive(true).tools().len(), 2);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// ```
#[derive(Clone, Debug)]
pub struct McpServer {
    registry: ToolRegistry,
    allow_destructive: bool,
    name: String,
    version: String,
    instructions: Option<String>,
    max_request_bytes: usize,
    allowed_hosts: Option<Vec<String>>,
    header_timeout: Duration,
    body_timeout: Duration,
    max_connections: usize,
}

impl McpServer {
    /// A server for `registry`'s tools, named `tool-runtime` with this crate's version,
    /// hiding the tools that need approval, reading requests of up to
    /// [`DEFAULT_MAX_REQUEST_BYTES`].
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// assert!(McpServer::new(ToolRegistry::new()).tools().is_empty());
    /// ```
    pub fn new(registry: ToolRegistry) -> Self {
        Self {
            registry,
            allow_destructive: false,
            name: "tool-runtime".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            instructions: None,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            allowed_hosts: None,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// Whether the tools that need a person's approval (destructive tools, and those
    /// marked `needs_approval`) are listed and callable. Off by default: an MCP server
    /// cannot ask anyone, so serving them hands the approval to the client, which MCP
    /// asks to keep a person in the loop (their `destructiveHint` tells it which).
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Ship the release to production.
    /// #[tool(needs_approval)]
    /// fn ship() {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Ship)?;
    /// assert!(McpServer::new(registry.clone()).tools().is_empty());
    /// assert_eq!(McpServer::new(registry).allow_destructive(true).tools()[0]["name"], "ship");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn allow_destructive(mut self, allow: bool) -> Self {
        self.allow_destructive = allow;
        self
    }

    /// The name and version the server gives clients in its `initialize` result
    /// (`serverInfo`).
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_name("task-planner", "0.3.0");
    /// # let _ = server;
    /// ```
    pub fn with_name(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.name = name.into();
        self.version = version.into();
        self
    }

    /// Text the client may give its model about using these tools (`instructions` in
    /// the `initialize` result).
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new())
    ///     .with_instructions("Task ids look like t-3; list the tasks to find one.");
    /// # let _ = server;
    /// ```
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// The largest request read, in bytes: an HTTP request body, or a line on stdio.
    /// A larger one is answered with HTTP 413 (over HTTP) or a JSON-RPC error `-32600`
    /// (over stdio, with the request's id, found while the line is skipped), and the
    /// server goes on serving.
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_max_request_bytes(64 * 1024);
    /// # let _ = server;
    /// ```
    pub fn with_max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// How long an HTTP connection may take to send a request's head (its request line
    /// and headers), counted from when it opens or from when its previous response was
    /// sent: this is the keep-alive idle timeout too. A connection that takes longer is
    /// closed, with a `tracing` warning. [`DEFAULT_HEADER_TIMEOUT`] (10 s) by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_header_timeout(Duration::from_secs(5));
    /// # let _ = server;
    /// ```
    pub fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long an HTTP request's body may take to arrive, once its head has: past it the
    /// request is answered 408 and the connection closed, with a `tracing` warning. A
    /// tool call's own time is not counted. [`DEFAULT_BODY_TIMEOUT`] (30 s) by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_body_timeout(Duration::from_secs(10));
    /// # let _ = server;
    /// ```
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The most HTTP connections open at once (at least 1). At the cap the server stops
    /// accepting, with a `tracing` warning, and new connections wait in the system's
    /// queue until one closes (the header timeout closes silent ones). Each connection
    /// holds a file descriptor and some memory, so keep it under the process's file
    /// limit. [`DEFAULT_MAX_CONNECTIONS`] (256) by default.
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_max_connections(64);
    /// # let _ = server;
    /// ```
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// The `Host` header values the HTTP server accepts (names, or `name:port`). By
    /// default only loopback names (`localhost`, `127.0.0.1`, `::1`), which keeps a web
    /// page from reaching a local server through DNS rebinding; a server for other
    /// machines names its own hosts here. An empty list accepts any host.
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// let server = McpServer::new(ToolRegistry::new()).with_allowed_hosts(["tools.example.com"]);
    /// # let _ = server;
    /// ```
    pub fn with_allowed_hosts(
        mut self,
        hosts: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// The `tools/list` entries this server gives: the registry's MCP export, less the
    /// tools that are not allowed.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Say hello.
    /// #[tool(read_only)]
    /// fn hello() -> &'static str { "hello" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Hello)?;
    /// assert_eq!(
    ///     McpServer::new(registry).tools(),
    ///     [json!({"name": "hello", "description": "Say hello.",
    ///             "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false},
    ///             "annotations": {"readOnlyHint": true}})]
    /// );
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn tools(&self) -> Vec<Value> {
        let Value::Array(exported) = self.registry.export(ToolFormat::Mcp) else {
            unreachable!("the MCP export is an array")
        };
        self.registry
            .definitions()
            .zip(exported)
            .filter(|(definition, _)| self.serves(definition))
            .map(|(_, tool)| tool)
            .collect()
    }

    /// Whether clients see the tool: not when it needs a person's approval, unless
    /// [`allow_destructive`](Self::allow_destructive) is on (a client has no one to ask).
    fn serves(&self, definition: &ToolDefinition) -> bool {
        self.allow_destructive || !definition.markers().needs_approval()
    }

    /// The tools clients do not see.
    fn hidden(&self) -> Vec<&str> {
        self.registry
            .definitions()
            .filter(|definition| !self.serves(definition))
            .map(|definition| definition.name())
            .collect()
    }

    /// Says once, as the server starts, which tools it hides and why: a client only sees
    /// them missing from `tools/list`.
    fn log_hidden(&self) {
        let hidden = self.hidden();
        if !hidden.is_empty() {
            tracing::info!(
                tools = ?hidden,
                "MCP server: hiding {} tool(s) that need a person's approval, since an MCP \
                 client has no one to ask; McpServer::allow_destructive(true) serves them",
                hidden.len()
            );
        }
    }

    /// Serves one client on this process's stdin and stdout until stdin closes. Nothing
    /// else may write to stdout: log to stderr.
    ///
    /// ```no_run
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// McpServer::new(ToolRegistry::new()).serve_stdio().await
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Reading or writing failed, or the client's `initialize` was refused.
    pub async fn serve_stdio(self) -> io::Result<()> {
        self.serve(tokio::io::stdin(), tokio::io::stdout()).await
    }

    /// Serves one client over a byte stream pair, one JSON-RPC message a line (MCP's
    /// stdio transport): a child process's pipes, a socket, or an in-memory pipe.
    ///
    /// ```
    /// use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (client, server) = tokio::io::duplex(4096);
    /// let (server_read, server_write) = tokio::io::split(server);
    /// tokio::spawn(McpServer::new(ToolRegistry::new()).serve(server_read, server_write));
    ///
    /// let (read, mut write) = tokio::io::split(client);
    /// let initialize = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
    ///     "params": {"protocolVersion": "2025-06-18", "capabilities": {},
    ///                "clientInfo": {"name": "doc", "version": "1"}}});
    /// write.write_all(format!("{initialize}\n").as_bytes()).await?;
    /// let mut line = String::new();
    /// BufReader::new(read).read_line(&mut line).await?;
    /// let reply: serde_json::Value = serde_json::from_str(&line)?;
    /// assert_eq!(reply["result"]["serverInfo"]["name"], "tool-runtime");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// Reading or writing failed, or the client's `initialize` was refused.
    pub async fn serve<R, W>(self, read: R, write: W) -> io::Result<()>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        self.log_hidden();
        let transport = stdio::LineTransport::new(read, write, self.max_request_bytes);
        stdio::serve(handler::Handler::new(&self), transport).await
    }

    /// Starts serving streamable HTTP on `addr` (port 0: one the system picks), at
    /// [`HTTP_PATH`], each request on its own (no sessions), replies as JSON. Returns once
    /// the socket is bound; the server runs on the current Tokio runtime until
    /// [shut down](HttpServer::shutdown).
    ///
    /// ```
    /// use tool_runtime::mcp::McpServer;
    /// use tool_runtime::ToolRegistry;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = McpServer::new(ToolRegistry::new()).serve_http("127.0.0.1:0".parse()?).await?;
    /// assert_ne!(server.local_addr().port(), 0);
    /// server.shutdown().await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The address could not be bound.
    pub async fn serve_http(self, addr: SocketAddr) -> io::Result<HttpServer> {
        self.log_hidden();
        http_server::serve(handler::Handler::new(&self), &self, addr).await
    }
}
