//! Why a tool could not be registered.

/// Why [`ToolRegistry::register`](crate::ToolRegistry::register) refused a tool. Nothing is
/// overwritten silently: a refused tool leaves the registry as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Another tool already has this name.
    #[error("tool name `{name}` is already taken by `{existing}`, so `{new}` cannot be registered; rename one with #[tool(name = \"...\")]")]
    DuplicateName {
        /// The name both tools have.
        name: String,
        /// The Rust type of the tool already registered.
        existing: &'static str,
        /// The Rust type of the tool refused.
        new: &'static str,
    },
    /// The tool takes a `State<T>` the registry does not hold.
    #[error("tool `{tool}` takes `State<{type_name}>`, but the registry holds no `{type_name}`; add it with ToolRegistry::with_state before registering the tool")]
    MissingState {
        /// The tool's name.
        tool: String,
        /// The missing state type.
        type_name: &'static str,
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
