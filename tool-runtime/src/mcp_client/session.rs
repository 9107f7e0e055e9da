//! One connection to an MCP server: its tools as run-time tools whose calls go through the
//! session, the registries they were put in, and what happens when the server changes its
//! list or goes away.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, ClientConfig, Implementation,
    PaginatedRequestParams, Tool,
};
use rmcp::service::{NotificationContext, Peer, RunningService};
use rmcp::{ClientHandler, RoleClient, ServiceError};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::report::{ImportReport, Refused};
use super::{output, McpClientError, McpSource, Settings};
use crate::definition::ToolDefinition;
use crate::live::{LiveRegistry, WeakLive};
use crate::registry::ToolRegistry;
use crate::tool::RuntimeTool;

/// At most this many `tools/list` pages are read, whatever the tool list limit: a server
/// that hands out empty pages with a cursor forever must not keep the client listing.
const MAX_PAGES: usize = 1_000;

/// The rmcp client handler: says who we are, and passes `notifications/tools/list_changed`
/// on to the task that refreshes the tools.
pub(super) struct Handler {
    changed: mpsc::Sender<()>,
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("tool-runtime", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        // Full means a refresh is already due, which will read the newest list.
        let _ = self.changed.try_send(());
    }
}

impl Handler {
    pub(super) fn new() -> (Self, mpsc::Receiver<()>) {
        let (changed, receiver) = mpsc::channel(1);
        (Self { changed }, receiver)
    }
}

/// The tools of one MCP server, connected: register them in a registry, or attach them to
/// a live one that follows the server's changes. Cloning shares the connection.
///
/// The connection closes when [`close`](Self::close) is called, or when this value and
/// every tool it made are dropped (a server we spawned is then killed).
///
/// See [the module](super) for an example, the bounds and the approval policy.
#[derive(Clone)]
pub struct McpTools {
    session: Arc<Session>,
}

pub(super) struct Session {
    /// The server's name for messages: its `serverInfo.name`, else the command or URL.
    server: String,
    peer: Peer<RoleClient>,
    service: tokio::sync::Mutex<Option<RunningService<RoleClient, Handler>>>,
    settings: Settings,
    /// Where the server is, to connect again.
    source: McpSource,
    /// Why the server is gone, once it is.
    gone: OnceLock<String>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The tools of the last listing, built, and what the listing refused.
    tools: Vec<RuntimeTool>,
    listing: ImportReport,
    /// The live registries that follow the server, each with the names put in it.
    attached: Vec<(WeakLive, Vec<String>)>,
    /// The report of the last import.
    report: ImportReport,
}

impl McpTools {
    /// Lists the server's tools over a session that is up, and starts following its
    /// changes.
    pub(super) async fn start(
        service: RunningService<RoleClient, Handler>,
        changes: mpsc::Receiver<()>,
        fallback_name: String,
        settings: Settings,
        source: McpSource,
    ) -> Result<Self, McpClientError> {
        let server = service
            .peer_info()
            .and_then(|info| info.server_info.as_ref().map(|i| i.name.clone()))
            .filter(|name| !name.is_empty())
            .unwrap_or(fallback_name);
        let session = Arc::new(Session {
            server,
            peer: service.peer().clone(),
            service: tokio::sync::Mutex::new(Some(service)),
            settings,
            source,
            gone: OnceLock::new(),
            state: Mutex::new(State::default()),
        });
        let (tools, listing) = session.list().await?;
        {
            let mut state = session.state();
            state.tools = tools;
            state.report = listing.clone();
            state.listing = listing;
        }
        tokio::spawn(follow(Arc::downgrade(&session), changes));
        Ok(Self { session })
    }

    /// The server's name: its `serverInfo.name`, else the command or URL.
    pub fn server(&self) -> &str {
        &self.session.server
    }

    /// The server's tools as run-time tools (prefixed, filtered), as last listed.
    pub fn tools(&self) -> Vec<RuntimeTool> {
        self.session.state().tools.clone()
    }

    /// Registers the server's tools in `registry`, each on its own: a tool the registry
    /// refuses (a name taken, a schema that breaks the rules of a format it checks) is in
    /// the report, and the others are registered.
    pub fn register_into(&self, registry: &mut ToolRegistry) -> ImportReport {
        let (tools, listing) = {
            let state = self.session.state();
            (state.tools.clone(), state.listing.clone())
        };
        let report = import(registry, tools, listing);
        self.session.state().report = report.clone();
        report
    }

    /// Registers the server's tools in `live` as [`register_into`](Self::register_into)
    /// does, and keeps them current there: when the server sends
    /// `notifications/tools/list_changed`, the tools are listed again and the registry's
    /// set is replaced (the report of each refresh is logged, and kept for
    /// [`report`](Self::report)).
    pub fn attach(&self, live: &LiveRegistry) -> ImportReport {
        let (tools, listing) = {
            let state = self.session.state();
            (state.tools.clone(), state.listing.clone())
        };
        let report = live.update(|registry| import(registry, tools, listing));
        let mut state = self.session.state();
        state.attached.retain(|(weak, _)| !weak.is(live));
        state
            .attached
            .push((live.downgrade(), report.imported.clone()));
        state.report = report.clone();
        report
    }

    /// Removes the server's tools from `live` and stops following the server there.
    pub fn detach(&self, live: &LiveRegistry) {
        let names = {
            let mut state = self.session.state();
            let position = state.attached.iter().position(|(weak, _)| weak.is(live));
            position.map(|at| state.attached.remove(at).1)
        };
        if let Some(names) = names {
            live.update(|registry| {
                for name in &names {
                    registry.remove(name);
                }
            });
        }
    }

    /// Lists the tools again now and updates the live registries they are attached to,
    /// as a `tools/list_changed` notification does.
    ///
    /// # Errors
    ///
    /// The listing failed; the registries keep the tools they had.
    pub async fn refresh(&self) -> Result<ImportReport, McpClientError> {
        self.session.refresh().await
    }

    /// Connects to the server again (a new process, a new HTTP session) with the same
    /// settings, moves the tools of every live registry this session is attached to over
    /// to the new session, and closes this one. Registries the tools were put in with
    /// [`register_into`](Self::register_into) keep the old tools: register the new ones
    /// there yourself.
    ///
    /// # Errors
    ///
    /// The new session could not be opened; nothing changed.
    pub async fn reconnect(&self) -> Result<McpTools, McpClientError> {
        let fresh = self.session.source.clone().connect().await?;
        let attached = std::mem::take(&mut self.session.state().attached);
        let (tools, listing) = {
            let state = fresh.session.state();
            (state.tools.clone(), state.listing.clone())
        };
        for (weak, before) in attached {
            let Some(live) = weak.upgrade() else { continue };
            let report = live.update(|registry| {
                for name in &before {
                    registry.remove(name);
                }
                import(registry, tools.clone(), listing.clone())
            });
            let mut state = fresh.session.state();
            state.attached.push((weak, report.imported.clone()));
            state.report = report;
        }
        self.close().await;
        Ok(fresh)
    }

    /// The report of the last import: what was registered, refused, left out.
    pub fn report(&self) -> ImportReport {
        self.session.state().report.clone()
    }

    /// Why the server is gone (its process exited, its connection closed), if it is; its
    /// tools then answer every call with an error output saying so.
    pub fn gone(&self) -> Option<&str> {
        self.session.gone.get().map(String::as_str)
    }

    /// Closes the session (a server we spawned is asked to exit, then killed). The tools
    /// already registered stay, and answer with an error output that the server is gone.
    pub async fn close(&self) {
        let service = self.session.service.lock().await.take();
        if let Some(mut service) = service {
            let _ = service
                .close_with_timeout(std::time::Duration::from_secs(5))
                .await;
        }
        self.session.died("the session was closed".to_owned());
    }
}

impl std::fmt::Debug for McpTools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpTools")
            .field("server", &self.session.server)
            .field("gone", &self.session.gone.get())
            .finish_non_exhaustive()
    }
}

/// Registers `tools` one by one, adding what the registry refuses to `listing`'s report.
fn import(
    registry: &mut ToolRegistry,
    tools: Vec<RuntimeTool>,
    listing: ImportReport,
) -> ImportReport {
    let mut report = listing;
    for tool in tools {
        let name = tool.definition().name().to_owned();
        match registry.register_runtime(tool) {
            Ok(_) => report.imported.push(name),
            Err(refused) => report.refused.push(Refused {
                tool: name,
                reason: refused.to_string(),
            }),
        }
    }
    report
}

/// Refreshes the tools each time the server says they changed, for as long as the session
/// lives.
async fn follow(session: Weak<Session>, mut changes: mpsc::Receiver<()>) {
    while changes.recv().await.is_some() {
        let Some(session) = session.upgrade() else {
            return;
        };
        match session.refresh().await {
            Ok(report) => tracing::info!(server = %session.server, "tools changed: {report}"),
            Err(error) => tracing::warn!(server = %session.server, "tools changed, but {error}"),
        }
    }
}

impl Session {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock left whole values behind: keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lists the tools and builds them: the tools, and the report of the listing (what the
    /// filter left out, what could not be built, what the limit cut).
    async fn list(self: &Arc<Self>) -> Result<(Vec<RuntimeTool>, ImportReport), McpClientError> {
        let limit = self.settings.max_tools;
        let mut listed: Vec<Tool> = Vec::new();
        let mut beyond = 0usize;
        let mut cursor = None;
        for _ in 0..MAX_PAGES {
            let request = PaginatedRequestParams::default().with_cursor(cursor);
            let page = tokio::time::timeout(
                self.settings.call_timeout,
                self.peer.list_tools(Some(request)),
            )
            .await
            .map_err(|_| McpClientError::List {
                server: self.server.clone(),
                problem: format!("no answer within {:?}", self.settings.call_timeout),
            })?
            .map_err(|error| McpClientError::List {
                server: self.server.clone(),
                problem: error.to_string(),
            })?;
            for tool in page.tools {
                if listed.len() < limit {
                    listed.push(tool);
                } else {
                    beyond = beyond.saturating_add(1);
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() || listed.len() >= limit {
                break;
            }
        }
        let mut report = ImportReport {
            server: self.server.clone(),
            truncated: beyond > 0 || cursor.is_some(),
            ..ImportReport::default()
        };
        let mut tools = Vec::new();
        for tool in listed {
            if !self.settings.admits(&tool.name) {
                report.filtered.push(tool.name.to_string());
                continue;
            }
            match self.build(&tool) {
                Ok(built) => tools.push(built),
                Err(reason) => report.refused.push(Refused {
                    tool: tool.name.to_string(),
                    reason,
                }),
            }
        }
        Ok((tools, report))
    }

    /// A listed tool as a run-time tool whose calls go through this session.
    fn build(self: &Arc<Self>, tool: &Tool) -> Result<RuntimeTool, String> {
        let remote = tool.name.to_string();
        let name = format!("{}{remote}", self.settings.prefix);
        let parameters = Value::Object(Map::clone(&tool.input_schema));
        let mut definition = ToolDefinition::new(
            name.clone(),
            tool.description.as_deref().unwrap_or_default(),
            parameters,
        )
        .with_markers(self.settings.policy.markers(tool.annotations.as_ref()));
        if let Some(output) = &tool.output_schema {
            definition = definition.with_output_schema(Value::Object(Map::clone(output)));
        }
        let session = Arc::clone(self);
        RuntimeTool::new(definition, move |arguments| {
            let session = Arc::clone(&session);
            let remote = remote.clone();
            let name = name.clone();
            async move { session.call(&remote, &name, arguments).await }
        })
        .map_err(|invalid| invalid.problem)
    }

    /// One call, through the session: the output, or an error output the model can read.
    async fn call(&self, remote: &str, name: &str, arguments: Value) -> Result<String, String> {
        if let Some(why) = self.gone.get() {
            return Err(format!(
                "tool `{name}` cannot run: its MCP server `{}` is gone ({why})",
                self.server
            ));
        }
        let mut params = CallToolRequestParams::new(remote.to_owned());
        if let Value::Object(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        let limit = self.settings.call_timeout;
        // Dropping the call (the timeout, or the run cancelled) makes rmcp send
        // `notifications/cancelled` for it.
        let answer = tokio::time::timeout(limit, self.peer.call_tool_once(params)).await;
        match answer {
            Err(_) => Err(format!(
                "tool `{name}` of MCP server `{}` did not answer within {limit:?}; the call was cancelled",
                self.server
            )),
            Ok(Err(error)) => {
                if is_closed(&error) || self.peer.is_transport_closed() {
                    self.died(error.to_string());
                    return Err(format!(
                        "tool `{name}` cannot run: its MCP server `{}` is gone ({error})",
                        self.server
                    ));
                }
                Err(format!(
                    "tool `{name}` of MCP server `{}` failed: {}",
                    self.server,
                    output::clip(&error.to_string(), self.settings.max_result_bytes)
                ))
            }
            Ok(Ok(CallToolResponse::Complete(result))) => {
                let result = serde_json::to_value(&result).unwrap_or(Value::Null);
                output::read(&result, self.settings.max_result_bytes)
            }
            Ok(Ok(_)) => Err(format!(
                "tool `{name}` of MCP server `{}` asked for more input or started a task, which this client does not support",
                self.server
            )),
        }
    }

    /// Records, once, that the server is gone.
    fn died(&self, why: String) {
        if self.gone.set(why).is_ok() {
            tracing::error!(
                server = %self.server,
                reason = self.gone.get().map(String::as_str).unwrap_or_default(),
                "the MCP server is gone; its tools answer with errors until it is connected again"
            );
        }
    }

    async fn refresh(self: &Arc<Self>) -> Result<ImportReport, McpClientError> {
        let (tools, listing) = self.list().await?;
        let attached = {
            let mut state = self.state();
            state.tools = tools.clone();
            state.listing = listing.clone();
            state.attached.retain(|(weak, _)| weak.upgrade().is_some());
            state.attached.clone()
        };
        let mut report = listing.clone();
        let mut updated = Vec::new();
        for (weak, before) in attached {
            let Some(live) = weak.upgrade() else { continue };
            report = live.update(|registry| {
                for name in &before {
                    registry.remove(name);
                }
                import(registry, tools.clone(), listing.clone())
            });
            updated.push((weak, report.imported.clone()));
        }
        let mut state = self.state();
        for (weak, names) in updated {
            if let Some(entry) = state.attached.iter_mut().find(|(w, _)| w.same(&weak)) {
                entry.1 = names;
            }
        }
        state.report = report.clone();
        Ok(report)
    }
}

/// Whether the session is over: the transport closed or could not send.
fn is_closed(error: &ServiceError) -> bool {
    matches!(
        error,
        ServiceError::TransportClosed | ServiceError::TransportSend(_)
    )
}
