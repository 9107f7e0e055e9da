//! Why a tool could not be registered.

/// Why [`ToolRegistry::register`](crate::ToolRegistry::register) refused a tool. Nothing is
/// overwritten silently: a refused tool leaves the registry as it was.
///
/// ```
/// use std::collections::HashMap;
/// use tool_runtime::{tool, RegistryError, State, ToolRegistry};
///
/// struct Db;
///
/// /// Count the rows.
/// #[tool]
/// fn count_rows(db: State<Db>) -> u32 { 0 }
///
/// /// Set labels.
/// ///
/// /// # Arguments
/// /// * `labels` - The labels, by name.
/// #[tool(strict)]
/// fn set_labels(labels: HashMap<String, String>) {}
///
/// let mut registry = ToolRegistry::new();
/// let missing = registry.register(CountRows).unwrap_err();
/// assert!(matches!(&missing, RegistryError::MissingState { tool, .. } if tool == "count_rows"));
/// assert!(missing.to_string().contains("add it with ToolRegistry::with_state"));
///
/// // A map has no strict form: declared strict, the tool is refused.
/// let not_strict = registry.register(SetLabels).unwrap_err();
/// assert!(matches!(&not_strict, RegistryError::NotStrict { tool, .. } if tool == "set_labels"));
/// assert!(registry.is_empty());
///
/// // With its state, the first one is welcome.
/// let mut registry = ToolRegistry::new().with_state(Db);
/// registry.register(CountRows)?;
/// # Ok::<(), RegistryError>(())
/// ```
///
/// `#[tool]` checks names at compile time; a hand-written [`Tool`](crate::Tool) with a name
/// from elsewhere meets [`InvalidName`](RegistryError::InvalidName) at registration:
///
/// ```
/// use tool_runtime::tool::{ToolFuture, ToolInput};
/// use tool_runtime::{RegistryError, Tool, ToolDefinition, ToolRegistry};
///
/// struct Named(ToolDefinition);
///
/// impl Tool for Named {
///     const NAME: &'static str = "named";
///     fn definition(&self) -> &ToolDefinition { &self.0 }
///     fn call<'a>(&'a self, _: ToolInput<'a>) -> ToolFuture<'a> { ToolFuture::ready(Ok(String::new())) }
/// }
///
/// let spaced = Named(ToolDefinition::new("get weather", "The weather.", serde_json::json!({"type": "object"})));
/// let refused = ToolRegistry::new().register(spaced).unwrap_err();
/// assert_eq!(refused, RegistryError::InvalidName { name: "get weather".into() });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Another tool already has this name.
    #[error("tool name `{name}` is already taken by `{existing}`, so `{new}` cannot be registered; rename one with #[tool(name = \"...\")] (an MCP server's tools with McpSource::with_prefix)")]
    DuplicateName {
        /// The name both tools have.
        name: String,
        /// The Rust type of the tool already registered.
        existing: &'static str,
        /// The Rust type of the tool refused.
        new: &'static str,
    },
    /// The tool takes a `State<T>` the registry does not hold.
    #[error("tool `{tool}` takes `State<{type_name}>`, but the registry holds no `{type_name}`{hint}; add it with ToolRegistry::with_state before registering the tool")]
    MissingState {
        /// The tool's name.
        tool: String,
        /// The missing state type.
        type_name: &'static str,
        /// What the registry holds instead, when that is the likely slip (an `Arc<T>` where
        /// a `T` is wanted); empty otherwise.
        hint: String,
    },
    /// The name is not one every provider accepts.
    #[error("tool name `{name}` is not valid: it must match ^[a-zA-Z_][a-zA-Z0-9_-]{{0,63}}$")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// The tool's definition breaks the rules of a format the registry checks.
    #[error("tool `{tool}` breaks the {format} rules:{}\nfix its types or attributes, or choose the formats checked with ToolRegistry::with_validation", crate::validate::list(violations))]
    InvalidDefinition {
        /// The tool's name.
        tool: String,
        /// The format whose rules it breaks (the first checked one that it does).
        format: crate::format::ToolFormat,
        /// Every violation of that format's rules.
        violations: Vec<crate::validate::Violation>,
    },
    /// The tool is declared strict, but its schema cannot be.
    #[error("tool `{tool}` is declared strict, but its schema cannot be: {reason}")]
    NotStrict {
        /// The tool's name.
        tool: String,
        /// Where and why.
        reason: String,
    },
}
