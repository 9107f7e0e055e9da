//! MCP servers as a tool source (feature `mcp-client`): connect to a server with rmcp's
//! client, over stdio (a command we spawn) or streamable HTTP (a URL, with headers for
//! auth), and register its tools as run-time tools in a registry, where the assistant loop
//! calls them as it calls `#[tool]` functions.
//!
//! ```no_run
//! use std::sync::Arc;
//! use tool_runtime::chat::Message;
//! use tool_runtime::live::LiveRegistry;
//! use tool_runtime::mcp_client::McpSource;
//! use tool_runtime::openai::OpenAiClient;
//! use tool_runtime::run::Assistant;
//! use tool_runtime::ToolRegistry;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let everything = McpSource::stdio("npx", ["-y", "@modelcontextprotocol/server-everything"])
//!     .with_prefix("everything_")
//!     .deny(["printEnv"])
//!     .connect()
//!     .await?;
//! let live = LiveRegistry::new(ToolRegistry::new());
//! let report = everything.attach(&live); // follows notifications/tools/list_changed
//! println!("{report}"); // what was registered, what was refused and why
//!
//! let assistant = Assistant::from_live(Arc::new(OpenAiClient::from_env()?), live);
//! let run = assistant.run(vec![Message::user("Add 2 and 3.")].into()).await;
//! println!("{:?}", run.answer());
//! # Ok(()) }
//! ```
//!
//! # What a server's tools become
//!
//! - Each listed tool (all pages of `tools/list`) is a [`RuntimeTool`](crate::tool::RuntimeTool)
//!   named `prefix + name`, with the tool's description, `inputSchema` (cleaned as every
//!   schema is, so it is exported like a `#[tool]` function's) and `outputSchema`. The
//!   registry checks it as it checks `#[tool]` functions; a tool it refuses (a schema that
//!   breaks a checked format's rules, a name taken or invalid) is named in the
//!   [`ImportReport`] with the reason, and the others are registered.
//! - [`allow`](McpSource::allow) and [`deny`](McpSource::deny) filter by the server's names.
//! - Annotations are untrusted hints: see [`ApprovalPolicy`] (by default every tool needs
//!   approval unless it says `readOnlyHint: true`).
//!
//! # Calls
//!
//! Arguments are checked against the schema first, as for every run-time tool. Then the
//! call goes to the server: `structuredContent` (as JSON text), else the text of the
//! content blocks, is the output; `isError: true` gives an error output. A JSON-RPC error,
//! a timeout or a broken transport is an error output the model can read, and the run
//! goes on. When the server is gone (its process exited, the connection closed) it is
//! logged once, and its tools answer every call with an error output saying so, until it
//! is connected again ([`McpTools::reconnect`]). Cancelling a run drops its calls, and rmcp then sends the server
//! `notifications/cancelled` for each call still running.
//!
//! # Bounds
//!
//! | what | default | setter |
//! | --- | --- | --- |
//! | time to spawn or reach the server and initialize | [`DEFAULT_CONNECT_TIMEOUT`] (30 s) | [`McpSource::with_connect_timeout`] |
//! | time for one call or one `tools/list` page | [`DEFAULT_CALL_TIMEOUT`] (60 s) | [`McpSource::with_call_timeout`] |
//! | tools listed; more are left out and the report says how many | [`DEFAULT_MAX_TOOLS`] (1,000) | [`McpSource::with_max_tools`] |
//! | `tools/list` pages read | 1,000 | |
//! | bytes of one call's output (and of an error's text); the rest is cut, saying so | [`DEFAULT_MAX_RESULT_BYTES`] (256 KiB) | [`McpSource::with_max_result_bytes`] |
//! | one message from the server (a stdio line, an HTTP JSON body or SSE event): rmcp's own limits | 16 MiB | |
//!
//! Past the tool list limit, tools are left out rather than the server refused: the first
//! ones still work, and the report says what was cut. Note that the registry's own checks
//! also limit how many tools one request may offer (128 for OpenAI's formats).

mod output;
mod policy;
mod report;
mod session;

use std::collections::HashMap;
use std::time::Duration;

use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::ServiceExt;

pub use policy::ApprovalPolicy;
pub use report::{ImportReport, Refused};
pub use session::McpTools;

/// How long spawning or reaching a server and the `initialize` handshake may take: 30 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one tool call (or one `tools/list` page) may take: 60 s.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How many tools are taken from one server: 1,000.
pub const DEFAULT_MAX_TOOLS: usize = 1_000;
/// How many bytes of a call's output the model gets: 256 KiB.
pub const DEFAULT_MAX_RESULT_BYTES: usize = 256 * 1024;

/// Where an MCP server is and how to treat its tools; [`connect`](Self::connect) opens
/// the session.
///
/// ```no_run
/// use std::time::Duration;
/// use tool_runtime::mcp_client::{ApprovalPolicy, McpSource};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let github = McpSource::http("https://api.githubcopilot.com/mcp/")
///     .with_header("Authorization", "Bearer <token>")
///     .with_prefix("gh_")
///     .allow(["get_issue", "list_issues"])
///     .with_approval(ApprovalPolicy::Always)
///     .with_call_timeout(Duration::from_secs(20))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct McpSource {
    endpoint: Endpoint,
    connect_timeout: Duration,
    settings: Settings,
}

#[derive(Clone)]
enum Endpoint {
    Stdio {
        program: String,
        args: Vec<String>,
        env: Vec<(String, String)>,
    },
    Http {
        url: String,
        headers: Vec<(String, String)>,
    },
}

// By hand: header values (and environment values) are often secrets, so only their
// names are shown.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(name, _)| name.clone()).collect()
        };
        match self {
            Self::Stdio { program, args, env } => f
                .debug_struct("Stdio")
                .field("program", program)
                .field("args", args)
                .field("env", &names(env))
                .finish(),
            Self::Http { url, headers } => f
                .debug_struct("Http")
                .field("url", url)
                .field("headers", &names(headers))
                .finish(),
        }
    }
}

/// What the session needs of the source once connected.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    prefix: String,
    allow: Option<Vec<String>>,
    deny: Vec<String>,
    policy: ApprovalPolicy,
    call_timeout: Duration,
    max_tools: usize,
    max_result_bytes: usize,
}

impl Settings {
    /// Whether the filter lets the tool `name` (the server's name) through.
    fn admits(&self, name: &str) -> bool {
        self.allow
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|a| a == name))
            && !self.deny.iter().any(|denied| denied == name)
    }
}

/// Why a session could not be opened, or a tool list read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpClientError {
    /// The command could not be started.
    #[error("could not start the MCP server `{command}`: {problem}")]
    Spawn {
        /// The command.
        command: String,
        /// What the system said.
        problem: String,
    },
    /// A header name or value is not valid HTTP.
    #[error("the header `{name}` is not valid HTTP")]
    InvalidHeader {
        /// The header's name.
        name: String,
    },
    /// The server did not answer `initialize` well, or in time.
    #[error("could not initialize a session with the MCP server `{server}`: {problem}")]
    Initialize {
        /// The command or URL.
        server: String,
        /// What went wrong.
        problem: String,
    },
    /// `tools/list` failed.
    #[error("could not list the tools of the MCP server `{server}`: {problem}")]
    List {
        /// The server.
        server: String,
        /// What went wrong.
        problem: String,
    },
}

impl McpSource {
    /// A server we spawn, speaking MCP on its stdin and stdout (its stderr goes to ours).
    /// It is killed when the session ends.
    pub fn stdio(
        program: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::new(Endpoint::Stdio {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
        })
    }

    /// A server at `url`, over streamable HTTP.
    pub fn http(url: impl Into<String>) -> Self {
        Self::new(Endpoint::Http {
            url: url.into(),
            headers: Vec::new(),
        })
    }

    fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            settings: Settings {
                prefix: String::new(),
                allow: None,
                deny: Vec::new(),
                policy: ApprovalPolicy::default(),
                call_timeout: DEFAULT_CALL_TIMEOUT,
                max_tools: DEFAULT_MAX_TOOLS,
                max_result_bytes: DEFAULT_MAX_RESULT_BYTES,
            },
        }
    }

    /// An HTTP header sent with every request (e.g. `Authorization`); ignored over stdio.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Endpoint::Http { headers, .. } = &mut self.endpoint {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// An environment variable of the spawned server; ignored over HTTP.
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Endpoint::Stdio { env, .. } = &mut self.endpoint {
            env.push((name.into(), value.into()));
        }
        self
    }

    /// Registers the tools as `prefix` + their name, so two servers' tools cannot collide
    /// (default: no prefix).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.prefix = prefix.into();
        self
    }

    /// Takes only these tools (by the server's names).
    pub fn allow(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.settings.allow = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Leaves these tools out (by the server's names).
    pub fn deny(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.settings.deny.extend(names.into_iter().map(Into::into));
        self
    }

    /// Which tools need approval (default [`ApprovalPolicy::UnlessReadOnly`]).
    pub fn with_approval(mut self, policy: ApprovalPolicy) -> Self {
        self.settings.policy = policy;
        self
    }

    /// How long connecting may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn with_connect_timeout(mut self, limit: Duration) -> Self {
        self.connect_timeout = limit;
        self
    }

    /// How long one call or one `tools/list` page may take (default
    /// [`DEFAULT_CALL_TIMEOUT`]).
    pub fn with_call_timeout(mut self, limit: Duration) -> Self {
        self.settings.call_timeout = limit;
        self
    }

    /// How many tools to take (default [`DEFAULT_MAX_TOOLS`]).
    pub fn with_max_tools(mut self, limit: usize) -> Self {
        self.settings.max_tools = limit;
        self
    }

    /// How many bytes of a call's output to keep (default [`DEFAULT_MAX_RESULT_BYTES`]).
    pub fn with_max_result_bytes(mut self, limit: usize) -> Self {
        self.settings.max_result_bytes = limit;
        self
    }

    /// The command or URL, for messages.
    fn describe(&self) -> String {
        match &self.endpoint {
            Endpoint::Stdio { program, args, .. } => std::iter::once(program.as_str())
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            Endpoint::Http { url, .. } => url.clone(),
        }
    }

    /// Opens the session: spawns or reaches the server, initializes, and lists its tools.
    ///
    /// # Errors
    ///
    /// [`McpClientError`]: the command did not start, a header is not valid HTTP, the
    /// handshake failed or took longer than the connect timeout, or the tools could not
    /// be listed.
    pub async fn connect(self) -> Result<McpTools, McpClientError> {
        let described = self.describe();
        let (handler, changes) = session::Handler::new();
        let initialize = |problem: String| McpClientError::Initialize {
            server: described.clone(),
            problem,
        };
        let serving = match &self.endpoint {
            Endpoint::Stdio { program, args, env } => {
                let mut command = tokio::process::Command::new(program);
                command.args(args).kill_on_drop(true);
                for (name, value) in env {
                    command.env(name, value);
                }
                let transport =
                    TokioChildProcess::new(command).map_err(|error| McpClientError::Spawn {
                        command: described.clone(),
                        problem: error.to_string(),
                    })?;
                tokio::time::timeout(self.connect_timeout, handler.serve(transport)).await
            }
            Endpoint::Http { url, headers } => {
                let mut custom = HashMap::new();
                for (name, value) in headers {
                    let invalid = || McpClientError::InvalidHeader { name: name.clone() };
                    custom.insert(
                        reqwest::header::HeaderName::try_from(name.as_str())
                            .map_err(|_| invalid())?,
                        reqwest::header::HeaderValue::try_from(value.as_str())
                            .map_err(|_| invalid())?,
                    );
                }
                let config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    .custom_headers(custom);
                let client = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .build()
                    .map_err(|error| initialize(error.to_string()))?;
                let transport = StreamableHttpClientTransport::with_client(client, config);
                tokio::time::timeout(self.connect_timeout, handler.serve(transport)).await
            }
        };
        let service = serving
            .map_err(|_| initialize(format!("no answer within {:?}", self.connect_timeout)))?
            .map_err(|error| initialize(error.to_string()))?;
        let settings = self.settings.clone();
        McpTools::start(service, changes, described, settings, self).await
    }
}
