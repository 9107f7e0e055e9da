//! The numbers providers document, per format; every one can be changed.

use crate::format::ToolFormat;
use crate::schema::{SchemaLimits, OPENAI_STRICT};

/// A format's limits. Start from [`Limits::of`] and change what a provider has changed:
/// OpenAI's documents have said 100 properties and 5 levels of nesting, and now say 5000
/// and 10.
///
/// ```
/// use tool_runtime::validate::{Limits, OnViolation, Validator};
/// use tool_runtime::{tool, RegistryError, ToolFormat, ToolRegistry};
///
/// /// Read a file.
/// #[tool]
/// fn read_file() {}
///
/// /// Write a file.
/// #[tool]
/// fn write_file() {}
///
/// // A local server that handles one tool per request well.
/// let mut limits = Limits::of(ToolFormat::OpenAiChat);
/// limits.max_tools = Some(1);
/// let validator = Validator::new(ToolFormat::OpenAiChat).with_limits(limits);
/// let mut registry = ToolRegistry::new().with_validation([validator], OnViolation::Error);
/// registry.register(ReadFile)?;
/// let refused = registry.register(WriteFile).unwrap_err();
/// let RegistryError::InvalidDefinition { violations, .. } = refused else { panic!("{refused}") };
/// assert_eq!(violations[0].message, "a request can offer at most 1 tools");
/// # Ok::<(), RegistryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Tools in one request (`None`: no known limit). OpenAI: 128; Gemini: 128
    /// declarations.
    pub max_tools: Option<usize>,
    /// The longest tool name. OpenAI, Anthropic: 64; Gemini, MCP: 128.
    pub max_name_length: usize,
    /// Levels of nested objects in a strict schema (OpenAI: 10).
    pub max_depth: usize,
    /// Properties in one strict schema, all levels together (OpenAI: 5000).
    pub max_properties: usize,
    /// `enum` values in one strict schema, all together (OpenAI: 1000).
    pub max_enum_values: usize,
    /// Characters of property names, `$defs` names, `enum` and `const` strings in one
    /// strict schema (OpenAI: 120,000).
    pub max_schema_chars: usize,
}

impl Limits {
    /// The limits `format`'s provider documents (docs/providers.md, "Limits"; mid-2026). The schema
    /// size limits apply to OpenAI's strict schemas; other formats get no such limit.
    ///
    /// ```
    /// use tool_runtime::ToolFormat;
    /// use tool_runtime::validate::Limits;
    ///
    /// assert_eq!(Limits::of(ToolFormat::OpenAiChat).max_depth, 10);
    /// assert_eq!(Limits::of(ToolFormat::Gemini).max_tools, Some(128));
    /// assert_eq!(Limits::of(ToolFormat::Mcp).max_tools, None);
    /// ```
    pub fn of(format: ToolFormat) -> Self {
        let unlimited = Limits {
            max_tools: None,
            max_name_length: 64,
            max_depth: usize::MAX,
            max_properties: usize::MAX,
            max_enum_values: usize::MAX,
            max_schema_chars: usize::MAX,
        };
        match format {
            ToolFormat::OpenAiChat | ToolFormat::OpenAiResponses => Limits {
                max_tools: Some(128),
                max_depth: OPENAI_STRICT.max_depth,
                max_properties: OPENAI_STRICT.max_properties,
                max_enum_values: OPENAI_STRICT.max_enum_values,
                max_schema_chars: OPENAI_STRICT.max_schema_chars,
                ..unlimited
            },
            ToolFormat::Anthropic => unlimited,
            ToolFormat::Gemini | ToolFormat::GeminiOpenApi => Limits {
                max_tools: Some(128),
                max_name_length: 128,
                ..unlimited
            },
            ToolFormat::Mcp => Limits {
                max_name_length: 128,
                ..unlimited
            },
        }
    }
}

impl Limits {
    /// The limits on one schema's size.
    pub(crate) fn schema_limits(&self) -> SchemaLimits {
        SchemaLimits {
            max_depth: self.max_depth,
            max_properties: self.max_properties,
            max_enum_values: self.max_enum_values,
            max_schema_chars: self.max_schema_chars,
        }
    }
}
