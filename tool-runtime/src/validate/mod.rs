//! Checking exported tool definitions against each provider's rules and limits
//! (docs/providers.md), so a broken schema fails a test rather than a request in production.
//!
//! The validator reads what goes on the wire — the output of
//! [`ToolRegistry::export`](crate::ToolRegistry::export), or JSON written by hand — and
//! reports every violation it finds, each with the tool and the JSON pointer of the
//! offending part of that tool's definition.
//!
//! ```
//! use serde_json::json;
//! use tool_runtime::ToolFormat;
//!
//! let tools = json!([{"type": "function", "function": {
//!     "name": "get weather",
//!     "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
//!                    "required": ["city"], "additionalProperties": false, "allOf": []},
//!     "strict": true
//! }}]);
//! let violations = ToolFormat::OpenAiChat.validate(&tools);
//! assert_eq!(
//!     violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
//!     [
//!         "tool `get weather` at /function/name: the name must match ^[a-zA-Z0-9_-]{1,64}$",
//!         "tool `get weather` at /function/parameters: `allOf` is not supported in strict mode",
//!     ]
//! );
//! ```

mod envelope;
mod limits;
mod report;
mod schema;

use std::fmt;

use serde_json::Value;

use crate::format::ToolFormat;

pub use limits::Limits;

/// One broken rule: which tool, where in its definition, and what is wrong.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::ToolFormat;
///
/// let tools = json!([{"name": "a.b", "description": "A tool.", "input_schema": {"type": "object"}}]);
/// let violations = ToolFormat::Anthropic.validate(&tools);
/// assert_eq!(violations.len(), 1);
/// assert_eq!((violations[0].tool.as_str(), violations[0].pointer.as_str()), ("a.b", "/name"));
/// assert_eq!(violations[0].to_string(), format!("tool `a.b` at /name: {}", violations[0].message));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    /// The tool's name as exported (empty when it has none).
    pub tool: String,
    /// The JSON pointer of the offending part, within the tool's exported definition
    /// (`/function/parameters/properties/tags` for OpenAI Chat).
    pub pointer: String,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tool `{}` at {}: {}",
            self.tool, self.pointer, self.message
        )
    }
}

/// Checks definitions against one format's rules, with limits that can be changed
/// (providers have raised theirs over time).
///
/// ```
/// use serde_json::json;
/// use tool_runtime::ToolFormat;
/// use tool_runtime::validate::{Limits, Validator};
///
/// // OpenAI's older limit: 5 levels of nesting.
/// let mut limits = Limits::of(ToolFormat::OpenAiChat);
/// limits.max_depth = 5;
/// let validator = Validator::new(ToolFormat::OpenAiChat).with_limits(limits);
/// let deep = json!({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {
///     "type": "object", "properties": {"c": {"type": "object", "properties": {"d": {
///     "type": "object", "properties": {"e": {"type": "object", "properties": {}, "required": [],
///     "additionalProperties": false}}, "required": ["e"], "additionalProperties": false}},
///     "required": ["d"], "additionalProperties": false}}, "required": ["c"], "additionalProperties": false}},
///     "required": ["b"], "additionalProperties": false}}, "required": ["a"], "additionalProperties": false});
/// let tool = json!({"type": "function", "function": {"name": "deep", "parameters": deep, "strict": true}});
/// let violations = validator.check_tool(&tool);
/// assert_eq!(violations[0].pointer, "/function/parameters/properties/a/properties/b/properties/c/properties/d/properties/e");
/// assert_eq!(violations[0].message, "objects are nested 6 deep; the limit is 5");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    format: ToolFormat,
    limits: Limits,
}

impl Validator {
    /// A validator of `format`'s rules with its current documented [`Limits`].
    pub fn new(format: ToolFormat) -> Self {
        Self {
            format,
            limits: Limits::of(format),
        }
    }

    /// Checks against `limits` instead.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The format checked.
    pub fn format(&self) -> ToolFormat {
        self.format
    }

    /// The limits checked.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Every violation in one tool's exported definition (for Gemini, one function
    /// declaration).
    pub fn check_tool(&self, tool: &Value) -> Vec<Violation> {
        envelope::check_tool(self.format, &self.limits, tool)
    }

    /// Every violation in a whole export (what [`ToolRegistry::export`](crate::ToolRegistry::export) returns): each
    /// tool's, then the request's (too many tools, a name used twice).
    pub fn check(&self, export: &Value) -> Vec<Violation> {
        let (tools, mut violations) = envelope::tools_of(self.format, export);
        for tool in &tools {
            violations.extend(self.check_tool(tool));
        }
        let names: Vec<String> = tools
            .iter()
            .map(|tool| envelope::name_of(self.format, tool))
            .collect();
        if let Some(max) = self.limits.max_tools {
            if tools.len() > max {
                violations.push(Violation {
                    tool: String::new(),
                    pointer: "/".into(),
                    message: format!("{} tools in one request; the limit is {max}", tools.len()),
                });
            }
        }
        for (index, name) in names.iter().enumerate() {
            if names[..index].contains(name) {
                violations.push(Violation {
                    tool: name.clone(),
                    pointer: envelope::name_pointer(self.format).into(),
                    message: "another tool of the request has this name".into(),
                });
            }
        }
        violations
    }
}

impl From<ToolFormat> for Validator {
    fn from(format: ToolFormat) -> Self {
        Validator::new(format)
    }
}

impl ToolFormat {
    /// Every violation of this format's rules in `export` (a whole export, as
    /// [`ToolRegistry::export`](crate::ToolRegistry::export) returns it), with the current documented [`Limits`].
    /// Shorthand for `Validator::new(format).check(export)`.
    pub fn validate(self, export: &Value) -> Vec<Violation> {
        Validator::new(self).check(export)
    }
}

/// A registry's export breaks a format's rules; it lists every violation.
///
/// ```
/// use tool_runtime::{tool, ToolFormat, ToolRegistry};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// // In a test: every format the product ships to.
/// for format in ToolFormat::ALL {
///     registry.validate(format)?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} violation(s) of the {format} rules:{}", violations.len(), list(violations))]
pub struct ValidationError {
    /// The format whose rules are broken.
    pub format: ToolFormat,
    /// Every violation.
    pub violations: Vec<Violation>,
}

pub(crate) fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|violation| format!("\n  - {violation}"))
        .collect()
}

/// What [`ToolRegistry::register`](crate::ToolRegistry::register) does with a tool that breaks a checked format's rules.
///
/// ```
/// use std::collections::HashMap;
/// use tool_runtime::validate::OnViolation;
/// use tool_runtime::{tool, ToolFormat, ToolRegistry};
///
/// /// Set labels on the document.
/// ///
/// /// # Arguments
/// /// * `labels` - The labels, by name.
/// #[tool]
/// fn set_labels(labels: HashMap<String, String>) {}
///
/// // Gemini's OpenAPI subset cannot declare a map: `Warn` registers the tool anyway and
/// // logs why, for a product that does not ship to that format yet.
/// let mut registry = ToolRegistry::new().with_validation([ToolFormat::GeminiOpenApi], OnViolation::Warn);
/// registry.register(SetLabels)?;
/// assert_eq!(registry.len(), 1);
/// assert!(registry.validate(ToolFormat::GeminiOpenApi).is_err());
/// # Ok::<(), tool_runtime::RegistryError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OnViolation {
    /// Refuse the tool ([`RegistryError::InvalidDefinition`](crate::RegistryError::InvalidDefinition)).
    #[default]
    Error,
    /// Register it, and log each violation as a `tracing` warning.
    Warn,
}
