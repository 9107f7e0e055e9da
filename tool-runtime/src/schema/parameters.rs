//! Assembling a tool's parameter object from its parameters' Rust types.

use schemars::{generate::SchemaGenerator, JsonSchema};
use serde_json::{Map, Value};

/// Builds the raw object schema of a tool's parameters, one parameter at a time, in
/// signature order. The `#[tool]` macro drives it; it is public for hand-written tools.
///
/// ```
/// use tool_runtime::ToolDefinition;
/// use tool_runtime::schema::ParametersBuilder;
///
/// let parameters = ParametersBuilder::new()
///     .param::<String>("city", Some("The city, e.g. Paris."), true, None)
///     .param::<Option<u8>>("days", Some("How many days ahead."), false, None)
///     .finish();
/// let definition = ToolDefinition::new("forecast", "Get the forecast.", parameters);
/// assert_eq!(
///     definition.parameters()["properties"]["days"],
///     serde_json::json!({"type": ["integer", "null"], "minimum": 0, "maximum": 255,
///                        "description": "How many days ahead."})
/// );
/// ```
#[derive(Debug)]
pub struct ParametersBuilder {
    generator: SchemaGenerator,
    properties: Map<String, Value>,
    required: Vec<Value>,
}

impl ParametersBuilder {
    /// An object schema with no properties yet.
    pub fn new() -> Self {
        Self {
            generator: super::generator(),
            properties: Map::new(),
            required: Vec::new(),
        }
    }

    /// Adds a parameter of type `T`. Its `description`, when given, replaces the one the
    /// type carries (a parameter's own text is the more specific); `default` is shown to
    /// the model in the plain form.
    pub fn param<T: JsonSchema + ?Sized>(
        self,
        name: &str,
        description: Option<&str>,
        required: bool,
        default: Option<Value>,
    ) -> Self {
        self.param_with(name, description, required, default, schema_of::<T>)
    }

    /// [`param`](Self::param) with the type's schema from `schema`: the generic part is
    /// only `schema`, so what `#[tool]` generates reaches this through a function pointer
    /// and the rest is compiled once.
    pub(crate) fn param_with(
        mut self,
        name: &str,
        description: Option<&str>,
        required: bool,
        default: Option<Value>,
        schema: fn(&mut SchemaGenerator) -> Value,
    ) -> Self {
        let mut schema = schema(&mut self.generator);
        if schema == Value::Bool(true) {
            // `serde_json::Value` and friends: "anything", which has no room for a description.
            schema = Value::Object(Map::new());
        }
        if let Value::Object(object) = &mut schema {
            if let Some(description) = description {
                object.insert("description".into(), description.into());
            }
            if let Some(default) = default {
                object.insert("default".into(), default);
            }
        }
        self.properties.insert(name.to_owned(), schema);
        if required {
            self.required.push(name.into());
        }
        self
    }

    /// The object schema, with the definitions its parameters refer to under `$defs`.
    pub fn finish(mut self) -> Value {
        let mut root = Map::new();
        root.insert("type".into(), "object".into());
        root.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            root.insert("required".into(), Value::Array(self.required));
        }
        let defs = self.generator.take_definitions(true);
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        Value::Object(root)
    }
}

/// The schema of `T`, in `generator` (a `$ref` to its definition, for a named type).
pub(crate) fn schema_of<T: JsonSchema + ?Sized>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

impl Default for ParametersBuilder {
    fn default() -> Self {
        Self::new()
    }
}
