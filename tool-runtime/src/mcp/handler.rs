//! The rmcp handler: `tools/list` from the registry's export, `tools/call` through
//! `invoke`, from the parts of the request borrowed (the answer is the request's own
//! envelope, so no `ToolCall` or `ToolOutput` is built).

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, CustomRequest,
    CustomResult, ErrorCode, Implementation, ListToolsResult, PaginatedRequestParams, RequestId,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use rustc_hash::FxHashMap;
use serde_json::{json, Value};

use super::clip::{clip, clip_message};
use super::McpServer;
use crate::call::CallRef;
use crate::format::ToolFormat;
use crate::registry::ToolRegistry;

/// What every connection of a server shares; cheap to clone (rmcp wants one handler per
/// connection, and one per request over stateless HTTP).
#[derive(Clone)]
pub(super) struct Handler(Arc<Served>);

struct Served {
    registry: ToolRegistry,
    /// The listed tools, in registration order.
    tools: Vec<Tool>,
    /// A listed tool's position in `tools`, by name.
    index: FxHashMap<String, usize>,
    info: ServerConfig,
}

impl Handler {
    pub(super) fn new(server: &McpServer) -> Self {
        let tools: Vec<Tool> = server
            .tools()
            .into_iter()
            .map(|tool| {
                serde_json::from_value(tool).expect("an MCP export entry is an rmcp `Tool`")
            })
            .collect();
        let index = tools
            .iter()
            .enumerate()
            .map(|(i, tool)| (tool.name.to_string(), i))
            .collect();
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(&server.name, &server.version));
        if let Some(instructions) = &server.instructions {
            info = info.with_instructions(instructions);
        }
        Self(Arc::new(Served {
            registry: server.registry.clone(),
            tools,
            index,
            info,
        }))
    }

    /// The listed tool called `name`: a hidden tool is as unknown as a missing one.
    fn tool(&self, name: &str) -> Option<&Tool> {
        self.0.index.get(name).map(|&i| &self.0.tools[i])
    }

    /// -32602, naming the tool and the ones there are.
    fn unknown_tool(&self, name: &str) -> ErrorData {
        let names: Vec<&str> = self.0.tools.iter().map(|tool| tool.name.as_ref()).collect();
        ErrorData::invalid_params(
            format!(
                "unknown tool `{}`; the tools are: {}",
                clip(name),
                if names.is_empty() {
                    "(none)".to_owned()
                } else {
                    names.join(", ")
                }
            ),
            Some(json!({"tool": clip(name)})),
        )
    }

    /// The result of a call of a listed tool.
    async fn call(&self, tool: &Tool, call: CallRef<'_>) -> CallToolResult {
        let (text, is_error) = match self.0.registry.invoke(call).await {
            Ok(text) => (text, false),
            Err(text) => (text, true),
        };
        let structured = match &tool.output_schema {
            Some(_) if !is_error => serde_json::from_str::<Value>(&text).ok(),
            _ => None,
        };
        let content = vec![ContentBlock::text(text)];
        let mut result = if is_error {
            CallToolResult::error(content)
        } else {
            CallToolResult::success(content)
        };
        result.structured_content = structured;
        result
    }
}

/// -32602 for a `tools/*` request whose params rmcp could not read, saying what is wrong.
fn invalid_params(request: &CustomRequest) -> ErrorData {
    let params = request.params.clone().unwrap_or(Value::Null);
    let problem = match request.method.as_str() {
        "tools/call" => match ToolFormat::Mcp.parse_calls(&params) {
            Err(error) => error.to_string(),
            Ok(_) => serde_json::from_value::<CallToolRequestParams>(params)
                .err()
                .map_or_else(String::new, |error| error.to_string()),
        },
        _ => serde_json::from_value::<Option<PaginatedRequestParams>>(params)
            .err()
            .map_or_else(String::new, |error| error.to_string()),
    };
    ErrorData::invalid_params(
        format!(
            "invalid params of `{}`: {}",
            request.method,
            clip_message(&problem)
        ),
        None,
    )
}

/// The call id a tool sees: the request's id as text (as `ToolFormat::Mcp.parse_calls`
/// makes it).
fn call_id(id: &RequestId) -> String {
    match id {
        RequestId::Number(number) => number.to_string(),
        RequestId::String(text) => text.to_string(),
    }
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        self.0.info.clone()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.0.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = self.tool(&request.name) else {
            return Err(self.unknown_tool(&request.name));
        };
        let arguments = match request.arguments {
            Some(arguments) => Value::Object(arguments).to_string(),
            None => "{}".to_owned(),
        };
        let id = call_id(&context.id);
        let call = CallRef::new(&id, &request.name, &arguments);
        // A cancelled call (`notifications/cancelled`, or an HTTP client gone) stops an
        // async tool where it waits; the client ignores the answer.
        tokio::select! {
            result = self.call(tool, call) => Ok(result.into()),
            () = context.ct.cancelled() => Err(ErrorData::new(
                ErrorCode(-32800),
                "the client cancelled the call",
                None,
            )),
        }
    }

    /// rmcp reads a request of a method it knows whose params do not fit (`arguments`
    /// that are not an object) as a custom request; it is not an unknown method.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(match request.method.as_str() {
            "tools/call" | "tools/list" => invalid_params(&request),
            method => ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("unknown method `{}`", clip(method)),
                None,
            ),
        })
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tool(name).cloned()
    }
}
