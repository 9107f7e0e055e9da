//! Typed outputs: a return type that carries its JSON Schema to the provider.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// A tool output whose shape is part of the tool's definition: return `Json<T>` (or
/// `Result<Json<T>, E>`) with `T: Serialize + JsonSchema`, and the definition gains an
/// output schema ([`ToolDefinition::output_schema`](crate::definition::ToolDefinition::output_schema)),
/// exported where a format has one (MCP's `outputSchema`, with the output as
/// `structuredContent` in `tools/call` results). The output text is `T` as compact JSON,
/// as for any `Serialize` return type.
///
/// ```
/// use serde::Serialize;
/// use tool_runtime::{tool, Json, ToolFormat, ToolRegistry};
/// use tool_runtime::format::SchemaForm;
///
/// /// A city's weather.
/// #[derive(Serialize, schemars::JsonSchema)]
/// struct Weather {
///     /// Degrees Celsius.
///     temperature: i8,
/// }
///
/// /// Get the weather in a city.
/// ///
/// /// # Arguments
/// /// * `city` - The city, e.g. Paris.
/// #[tool]
/// fn get_weather(city: String) -> Json<Weather> {
///     Json(Weather { temperature: if city == "Paris" { 18 } else { 25 } })
/// }
///
/// let mut registry = ToolRegistry::new();
/// registry.register(GetWeather)?;
/// let mcp = registry.export(ToolFormat::Mcp);
/// assert_eq!(
///     mcp[0]["outputSchema"],
///     serde_json::json!({"type": "object", "description": "A city's weather.",
///         "properties": {"temperature": {"type": "integer", "minimum": -128, "maximum": 127,
///                                         "description": "Degrees Celsius."}},
///         "required": ["temperature"], "additionalProperties": false})
/// );
/// # Ok::<(), tool_runtime::RegistryError>(())
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The value.
    ///
    /// ```
    /// use tool_runtime::Json;
    ///
    /// let total = Json(vec![1, 2, 3]);
    /// assert_eq!(total.len(), 3); // a `Json<T>` derefs to `T`
    /// assert_eq!(total.into_inner(), [1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}
