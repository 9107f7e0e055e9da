//! What a model is told about a tool: its name, description and parameter schema.

use serde_json::{Map, Value};

use crate::schema;

/// Whether a tool is exported in OpenAI's strict (structured outputs) form.
///
/// Set with `#[tool(strict)]`, `#[tool(strict = false)]`; the default is [`Strictness::Auto`].
///
/// ```
/// use tool_runtime::tool::Strictness;
/// use tool_runtime::{tool, Tool, ToolFormat};
///
/// /// Search the notes.
/// ///
/// /// # Arguments
/// /// * `query` - What to look for.
/// #[tool(strict = false)]
/// fn search_notes(query: String) {}
///
/// /// Find a note.
/// ///
/// /// # Arguments
/// /// * `query` - What to look for.
/// #[tool]
/// fn find_note(query: String) {}
///
/// assert_eq!(SearchNotes.definition().strictness(), Strictness::Off);
/// assert!(!SearchNotes.definition().is_strict());
/// assert_eq!(SearchNotes.definition().export(ToolFormat::OpenAiResponses, Default::default())["strict"], false);
/// // Auto: strict, since the schema can be.
/// assert_eq!(FindNote.definition().strictness(), Strictness::Auto);
/// assert!(FindNote.definition().is_strict());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strictness {
    /// Strict when the schema can be (no maps, no free-form values, only supported keywords).
    #[default]
    Auto,
    /// Always strict; registering a tool whose schema cannot be strict is an error.
    On,
    /// Never strict.
    Off,
}

/// What a tool does to the world, as declared with `#[tool(destructive)]` and friends.
///
/// The assistant loop never runs a tool that [needs approval](ToolMarkers::needs_approval)
/// without asking; providers that have annotations (MCP) receive the rest.
///
/// ```
/// use tool_runtime::{tool, Tool, ToolFormat};
///
/// /// Archive a task.
/// ///
/// /// # Arguments
/// /// * `id` - The task's id.
/// #[tool(needs_approval, idempotent)]
/// fn archive_task(id: u32) {}
///
/// let markers = ArchiveTask.definition().markers();
/// assert!(markers.requires_approval && markers.idempotent && !markers.destructive);
/// assert!(markers.needs_approval());
/// // MCP clients see the hints; approval is the assistant loop's business.
/// let mcp = ArchiveTask.definition().export(ToolFormat::Mcp, Default::default());
/// assert_eq!(mcp["annotations"], serde_json::json!({"idempotentHint": true}));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ToolMarkers {
    /// It deletes or overwrites data (`#[tool(destructive)]`); implies approval.
    pub destructive: bool,
    /// A person must approve each call (`#[tool(needs_approval)]`).
    pub requires_approval: bool,
    /// It only reads (`#[tool(read_only)]`).
    pub read_only: bool,
    /// Calling it twice with the same arguments does no more than once (`#[tool(idempotent)]`).
    pub idempotent: bool,
    /// It reaches outside the program: the web, other people's systems (`#[tool(open_world)]`).
    pub open_world: bool,
}

impl ToolMarkers {
    /// True when a call must be approved before it runs: destructive tools and those
    /// marked `needs_approval`.
    ///
    /// ```
    /// use tool_runtime::tool::ToolMarkers;
    ///
    /// assert!(ToolMarkers { destructive: true, ..ToolMarkers::default() }.needs_approval());
    /// assert!(!ToolMarkers { read_only: true, open_world: true, ..ToolMarkers::default() }.needs_approval());
    /// ```
    pub fn needs_approval(&self) -> bool {
        self.destructive || self.requires_approval
    }
}

/// A tool's definition, built once per tool: name, description, and its parameter schema
/// in plain and (where possible) strict form.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::ToolDefinition;
///
/// let definition = ToolDefinition::new(
///     "get_time",
///     "The current time in a time zone.",
///     json!({"type": "object", "properties": {"zone": {"type": "string", "title": "Zone"}}}),
/// );
/// // Cleaned: `title` became the description, the object is closed.
/// assert_eq!(
///     definition.parameters(),
///     &json!({"type": "object", "properties": {"zone": {"type": "string", "description": "Zone"}},
///             "additionalProperties": false})
/// );
/// assert!(definition.is_strict());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDefinition {
    name: String,
    description: String,
    parameters: Value,
    strict_parameters: Result<Value, String>,
    anthropic_strict_parameters: Result<Value, String>,
    output_schema: Option<Value>,
    strictness: Strictness,
    markers: ToolMarkers,
}

impl ToolDefinition {
    /// A definition from a JSON Schema of the parameters (an object schema; `$defs` are
    /// resolved). The schema is cleaned like the ones `#[tool]` generates.
    pub fn new(name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Self {
        let parameters = schema::plain_form(parameters, Map::new());
        let strict_parameters = schema::strict_form(&parameters);
        let anthropic_strict_parameters = match &strict_parameters {
            Ok(_) => schema::anthropic_strict_form(&parameters),
            Err(reason) => Err(reason.clone()),
        };
        Self {
            name: name.into(),
            description: description.into(),
            parameters,
            strict_parameters,
            anthropic_strict_parameters,
            output_schema: None,
            strictness: Strictness::Auto,
            markers: ToolMarkers::default(),
        }
    }

    /// Sets whether the tool is exported strict.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::tool::Strictness;
    /// use tool_runtime::ToolDefinition;
    ///
    /// let schema = json!({"type": "object", "properties": {"zone": {"type": "string"}}});
    /// let definition = ToolDefinition::new("get_time", "The time in a zone.", schema)
    ///     .with_strictness(Strictness::Off);
    /// assert!(!definition.is_strict());
    /// assert!(definition.strict_parameters().is_some()); // it could be, but is not asked to
    /// ```
    pub fn with_strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// Declares the shape of the tool's output (a JSON Schema; `$defs` are resolved and
    /// it is cleaned like a parameter schema). `#[tool]` sets it for tools returning
    /// [`Json<T>`](crate::json::Json).
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::ToolDefinition;
    ///
    /// let definition = ToolDefinition::new("count", "Count the tasks.", json!({"type": "object"}))
    ///     .with_output_schema(json!({"type": "object", "properties": {"open": {"type": "integer"}}}));
    /// assert_eq!(
    ///     definition.output_schema(),
    ///     Some(&json!({"type": "object", "properties": {"open": {"type": "integer"}},
    ///                  "additionalProperties": false}))
    /// );
    /// ```
    pub fn with_output_schema(mut self, schema: Value) -> Self {
        self.output_schema = Some(schema::plain_form(schema, Map::new()));
        self
    }

    /// The shape of the tool's output, when it declares one.
    pub fn output_schema(&self) -> Option<&Value> {
        self.output_schema.as_ref()
    }

    /// Sets what the tool does to the world.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::tool::ToolMarkers;
    /// use tool_runtime::ToolDefinition;
    ///
    /// let definition = ToolDefinition::new("drop_table", "Drop a table.", json!({"type": "object"}))
    ///     .with_markers(ToolMarkers { destructive: true, ..ToolMarkers::default() });
    /// assert!(definition.markers().needs_approval());
    /// ```
    pub fn with_markers(mut self, markers: ToolMarkers) -> Self {
        self.markers = markers;
        self
    }

    /// The name the model calls the tool by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the tool does, for the model.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The plain parameter schema: optional parameters may be omitted.
    pub fn parameters(&self) -> &Value {
        &self.parameters
    }

    /// The strict parameter schema: every property required, optionals nullable.
    /// `None` when the schema cannot be strict; [`ToolDefinition::strict_unavailable`] says why.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::ToolDefinition;
    ///
    /// let schema = json!({"type": "object", "properties": {"zone": {"type": "string"}}});
    /// let definition = ToolDefinition::new("get_time", "The time in a zone.", schema);
    /// let strict = definition.strict_parameters().unwrap();
    /// assert_eq!(strict["required"], json!(["zone"]));
    /// assert_eq!(strict["properties"]["zone"]["type"], json!(["string", "null"]));
    /// ```
    pub fn strict_parameters(&self) -> Option<&Value> {
        self.strict_parameters.as_ref().ok()
    }

    /// Why there is no strict form (the JSON pointer of the obstacle, and what it is).
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::ToolDefinition;
    ///
    /// let labels = json!({"type": "object", "properties": {
    ///     "labels": {"type": "object", "additionalProperties": {"type": "string"}}
    /// }});
    /// let definition = ToolDefinition::new("set_labels", "Set labels.", labels);
    /// assert!(!definition.is_strict());
    /// assert!(definition.strict_unavailable().unwrap().contains("/properties/labels"));
    /// ```
    pub fn strict_unavailable(&self) -> Option<&str> {
        self.strict_parameters.as_ref().err().map(String::as_str)
    }

    /// The schema for Anthropic's strict tool use: the plain form with numeric and length
    /// bounds said in descriptions. `None` when there is no OpenAI strict form either, or
    /// the schema is recursive.
    pub fn anthropic_strict_parameters(&self) -> Option<&Value> {
        self.anthropic_strict_parameters.as_ref().ok()
    }

    /// The schema in the OpenAPI 3.0 subset of Gemini's older `parameters` field. Built on
    /// each call: few endpoints still need it.
    pub fn openapi_parameters(&self) -> Value {
        schema::openapi_form(&self.parameters)
    }

    /// The declared strictness.
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// Whether the tool is exported strict: declared on, or auto and possible.
    pub fn is_strict(&self) -> bool {
        match self.strictness {
            Strictness::On | Strictness::Auto => self.strict_parameters.is_ok(),
            Strictness::Off => false,
        }
    }

    /// What the tool does to the world.
    pub fn markers(&self) -> &ToolMarkers {
        &self.markers
    }
}
