//! Tools defined at run time: a definition (name, description, JSON Schema, markers) from
//! a config file, a plugin or an MCP server, and an async handler from JSON arguments to an
//! output. The registry holds, exports, snapshots and dispatches them as it does `#[tool]`
//! functions.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde_json::Value;

use crate::context::StateKey;
use crate::definition::ToolDefinition;

use super::args::parse_value;
use super::{DynTool, ToolError, ToolFuture, ToolInput};

/// The handler of a run-time tool, type-erased.
type Handler = dyn Fn(Value) -> BoxFuture<'static, Result<String, String>> + Send + Sync;

/// At most this many schema violations are named in one error output: enough for the model
/// to fix its call, not a wall of text from a pathological argument.
const MAX_REPORTED: usize = 5;

/// A tool whose definition is known only at run time, with an async handler.
///
/// Its arguments are read as leniently as a `#[tool]` function's (empty text means `{}`,
/// `null` for an optional property means absent) and checked against its parameter
/// schema (the cleaned one the model is shown) before the handler sees them; a call that
/// breaks the schema is answered with an error output naming each field's path, and the
/// handler does not run. The handler's `Ok` text is the output, its `Err` text an error
/// output.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::tool::{RuntimeTool, ToolMarkers};
/// use tool_runtime::{ToolCall, ToolDefinition, ToolRegistry};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let parameters = json!({
///     "type": "object",
///     "properties": {"city": {"type": "string", "description": "The city."}},
///     "required": ["city"],
/// });
/// let definition = ToolDefinition::new("population", "The population of a city.", parameters)
///     .with_markers(ToolMarkers { read_only: true, ..ToolMarkers::default() });
/// let tool = RuntimeTool::new(definition, |arguments| async move {
///     match arguments["city"].as_str() {
///         Some("Paris") => Ok("2102650".to_owned()),
///         other => Err(format!("no figures for {other:?}")),
///     }
/// })?;
///
/// let mut registry = ToolRegistry::new();
/// registry.register_runtime(tool)?;
/// let output = registry.dispatch(&ToolCall::new("call_1", "population", r#"{"city": "Paris"}"#)).await;
/// assert_eq!((output.content.as_str(), output.is_error), ("2102650", false));
///
/// // Checked against the schema before the handler runs.
/// let output = registry.dispatch(&ToolCall::new("call_2", "population", r#"{"city": 7}"#)).await;
/// assert_eq!(output.content, r#"invalid arguments for tool `population`: city: 7 is not of type "string""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct RuntimeTool {
    definition: Arc<ToolDefinition>,
    validator: Arc<jsonschema::Validator>,
    handler: Arc<Handler>,
}

/// Why a [`RuntimeTool`] could not be built: its parameter schema is not one a JSON Schema
/// validator can compile (an unknown `type`, a `pattern` that is no regular expression...).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the parameter schema of tool `{tool}` is not valid JSON Schema: {problem}")]
#[non_exhaustive]
pub struct InvalidSchema {
    /// The tool's name.
    pub tool: String,
    /// What the validator said.
    pub problem: String,
}

impl RuntimeTool {
    /// A tool with `definition` whose calls run `handler` with the checked arguments.
    ///
    /// # Errors
    ///
    /// [`InvalidSchema`] when the parameter schema does not compile. Whether it suits the
    /// providers is the registry's check, at registration, as for `#[tool]` functions.
    pub fn new<F, Fut>(definition: ToolDefinition, handler: F) -> Result<Self, InvalidSchema>
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, String>> + Send + 'static,
    {
        let validator =
            jsonschema::validator_for(definition.parameters()).map_err(|error| InvalidSchema {
                tool: definition.name().to_owned(),
                problem: error.to_string(),
            })?;
        Ok(Self {
            definition: Arc::new(definition),
            validator: Arc::new(validator),
            handler: Arc::new(move |arguments| handler(arguments).boxed()),
        })
    }

    /// The definition.
    pub fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    /// Why `arguments` do not fit the schema, each problem with its field's path, or `None`.
    fn violations(&self, arguments: &Value) -> Option<String> {
        let mut problems: Vec<String> = Vec::new();
        let mut more = 0usize;
        for error in self.validator.iter_errors(arguments) {
            if problems.len() == MAX_REPORTED {
                more = more.saturating_add(1);
                continue;
            }
            let path = field_path(error.instance_path().as_str(), arguments);
            let problem = match error.kind() {
                // Worded as serde words it for `#[tool]` functions.
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let name = property
                        .as_str()
                        .map_or_else(|| property.to_string(), str::to_owned);
                    format!("missing field `{name}`")
                }
                _ => error.to_string(),
            };
            problems.push(if path.is_empty() {
                problem
            } else {
                format!("{path}: {problem}")
            });
        }
        if problems.is_empty() {
            return None;
        }
        let mut text = problems.join("; ");
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        Some(text)
    }
}

impl DynTool for RuntimeTool {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a> {
        let arguments = match parse_value(input.arguments, self.definition.parameters()) {
            Ok(arguments) => arguments,
            Err(error) => return ToolFuture::ready(Err(error)),
        };
        if let Some(problems) = self.violations(&arguments) {
            return ToolFuture::ready(Err(ToolError::InvalidArguments(problems)));
        }
        let running = (self.handler)(arguments);
        ToolFuture::boxed(running.map(|result| result.map_err(ToolError::Failed)))
    }

    fn type_name(&self) -> &'static str {
        "tool_runtime::tool::RuntimeTool"
    }

    fn required_state(&self) -> Vec<StateKey> {
        Vec::new()
    }
}

impl std::fmt::Debug for RuntimeTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeTool")
            .field("name", &self.definition.name())
            .finish_non_exhaustive()
    }
}

/// A JSON pointer into `arguments` written as serde_path_to_error writes the paths of
/// `#[tool]` functions' errors: `items[2].name`.
fn field_path(pointer: &str, arguments: &Value) -> String {
    let mut path = String::new();
    let mut at = Some(arguments);
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match at {
            Some(Value::Array(items)) => {
                path.push_str(&format!("[{segment}]"));
                at = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                if !path.is_empty() {
                    path.push('.');
                }
                at = other.and_then(|value| value.get(&segment));
                path.push_str(&segment);
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::field_path;

    #[test]
    fn pointers_read_as_field_paths() {
        let arguments = json!({"items": [{"name": 1}, {"a/b": []}]});
        assert_eq!(field_path("", &arguments), "");
        assert_eq!(field_path("/items/0/name", &arguments), "items[0].name");
        assert_eq!(field_path("/items/1/a~1b", &arguments), "items[1].a/b");
        assert_eq!(field_path("/missing/0", &arguments), "missing.0");
    }
}
