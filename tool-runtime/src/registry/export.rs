//! Exporting a registry's definitions in a provider's shape, and checking the export
//! against the provider's rules.

use serde_json::Value;

use crate::format::{self, SchemaForm, ToolFormat};
use crate::validate::{ValidationError, Validator};

use super::ToolRegistry;

impl ToolRegistry {
    /// Every tool's definition in `format`'s shape, in registration order, each in its
    /// declared strictness: the value of a request's `tools` field (for MCP, of the
    /// `tools/list` result's).
    ///
    /// ```
    /// use tool_runtime::{tool, ToolFormat, ToolRegistry};
    ///
    /// /// Get the nickname of a city.
    /// ///
    /// /// # Arguments
    /// /// * `location` - The city, e.g. Paris.
    /// #[tool]
    /// fn get_nickname(location: String) -> String {
    ///     location
    /// }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetNickname)?;
    /// assert_eq!(
    ///     registry.export(ToolFormat::OpenAiChat).to_string(),
    ///     r#"[{"type":"function","function":{"name":"get_nickname","description":"Get the nickname of a city.","parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city, e.g. Paris."}},"required":["location"],"additionalProperties":false},"strict":true}}]"#
    /// );
    /// // Gemini's declarations go in one tool object.
    /// assert_eq!(
    ///     registry.export(ToolFormat::Gemini)[0]["functionDeclarations"][0]["name"],
    ///     "get_nickname"
    /// );
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn export(&self, format: ToolFormat) -> Value {
        self.export_with(format, SchemaForm::Declared)
    }

    /// Every tool's definition in `format`'s shape, in registration order, in `form`.
    ///
    /// A format the registry does not check at registration
    /// ([`with_validation`](ToolRegistry::with_validation)) is checked here, and its
    /// violations are logged as `tracing` warnings.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::{tool, ToolFormat, ToolRegistry};
    ///
    /// /// Search the notes.
    /// ///
    /// /// # Arguments
    /// /// * `query` - What to look for.
    /// /// * `limit` - At most this many notes; 10 if omitted.
    /// #[tool]
    /// fn search_notes(query: String, limit: Option<u32>) {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(SearchNotes)?;
    /// // Strict (declared): every property required, the optional one nullable.
    /// let strict = registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Declared);
    /// assert_eq!(strict[0]["function"]["parameters"]["required"], json!(["query", "limit"]));
    /// assert_eq!(strict[0]["function"]["strict"], true);
    /// // Plain, for OpenAI-compatible servers whose small models invent values for nullables.
    /// let plain = registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain);
    /// assert_eq!(plain[0]["function"]["parameters"]["required"], json!(["query"]));
    /// assert_eq!(plain[0]["function"].get("strict"), None);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn export_with(&self, format: ToolFormat, form: SchemaForm) -> Value {
        let tools: Vec<Value> = self
            .definitions()
            .map(|definition| definition.export(format, form))
            .collect();
        let export = format::tools_field(format, tools);
        if !self.checks.validators.iter().any(|v| v.format() == format) {
            for violation in format.validate(&export) {
                tracing::warn!(%format, "{violation}");
            }
        }
        export
    }

    /// Checks the registry's export in `format` (declared form) against the format's
    /// rules, with the limits the registry checks that format with
    /// ([`with_validation`](ToolRegistry::with_validation)), else the documented ones.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] listing every violation.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use tool_runtime::{tool, ToolFormat, ToolRegistry};
    ///
    /// /// Set labels on the document.
    /// ///
    /// /// # Arguments
    /// /// * `labels` - The labels, by name.
    /// #[tool]
    /// fn set_labels(labels: HashMap<String, String>) {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(SetLabels)?; // fine for the formats checked by default
    /// assert_eq!(registry.validate(ToolFormat::Anthropic), Ok(()));
    ///
    /// // Not for Gemini's OpenAPI subset, which is not checked by default.
    /// let error = registry.validate(ToolFormat::GeminiOpenApi).unwrap_err();
    /// assert_eq!(error.violations[0].tool, "set_labels");
    /// assert_eq!(error.violations[0].pointer, "/parameters/properties/labels");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn validate(&self, format: ToolFormat) -> Result<(), ValidationError> {
        let validator = self
            .checks
            .validators
            .iter()
            .find(|validator| validator.format() == format)
            .cloned()
            .unwrap_or_else(|| Validator::new(format));
        let violations = validator.check(&self.export(format));
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { format, violations })
        }
    }
}
