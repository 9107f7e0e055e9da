//! From the JSON text a model sent to typed arguments, or an error the model can act on.

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::tool::ToolError;

/// Parses a tool's arguments; `schema` gives the tool's plain parameter schema, and is only
/// asked for when the text is not already right.
///
/// The well-formed case costs one `serde_json::from_str`. Otherwise the text is looked at
/// again, to be lenient where models are sloppy and precise where they are wrong: empty
/// text or `null` means no arguments; arguments encoded twice (a JSON string holding the
/// object) are decoded; and, where the schema says so, `null` for an optional property
/// means "absent" (what strict mode's nullable optionals mean) and `2.0` for an integer
/// means `2` (JSON Schema counts it as an integer). Errors carry the path of the field.
#[inline]
pub(crate) fn parse_arguments<'s, T: DeserializeOwned>(
    text: &str,
    schema: impl FnOnce() -> &'s Value,
) -> Result<T, ToolError> {
    // Only an object may take the fast path: serde would also read a struct from an array.
    let first = text.bytes().find(|byte| !byte.is_ascii_whitespace());
    if first == Some(b'{') {
        if let Ok(arguments) = serde_json::from_str(text) {
            return Ok(arguments);
        }
    }
    parse_leniently(text, schema()).map_err(ToolError::InvalidArguments)
}

#[cold]
#[inline(never)]
fn parse_leniently<T: DeserializeOwned>(text: &str, schema: &Value) -> Result<T, String> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    let mut value: Value = serde_json::from_str(text)
        .map_err(|error| format!("the arguments are not valid JSON ({error})"))?;
    if let Value::String(inner) = &value {
        if let Ok(object @ Value::Object(_)) = serde_json::from_str(inner) {
            value = object;
        }
    }
    if value.is_null() {
        value = Value::Object(Map::new());
    }
    if !value.is_object() {
        return Err(format!(
            "the arguments must be a JSON object, not {}",
            kind_of(&value)
        ));
    }
    normalize(&mut value, schema, schema, 0);
    serde_path_to_error::deserialize(&value).map_err(|error| {
        let path = error.path().to_string();
        let problem = error.into_inner();
        if path == "." {
            problem.to_string()
        } else {
            format!("{path}: {problem}")
        }
    })
}

/// serde_json's own nesting limit: nothing deeper parses anyway.
const MAX_DEPTH: usize = 128;

/// Rewrites `value` where `schema` says what it means: removes `null` members that are
/// optional properties, and writes integral floats as integers where only an integer fits.
/// Nothing the schema does not describe is touched (a `serde_json::Value` payload keeps its
/// nulls; an unknown property stays, to be refused).
fn normalize(value: &mut Value, schema: &Value, root: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let branches = branches(schema, root);
    match value {
        Value::Object(members) => {
            // The alternative that knows most of the keys (an enum's variants differ in
            // them); unknown keys stay, for serde to refuse or ignore as the type says.
            let Some(branch) = branches
                .iter()
                .filter(|branch| {
                    branch.get("properties").is_some()
                        || branch.get("additionalProperties").is_some()
                })
                .max_by_key(|branch| {
                    let known =
                        |key: &String| branch.get("properties").and_then(|p| p.get(key)).is_some();
                    std::cmp::Reverse(members.keys().filter(|key| !known(key)).count())
                })
            else {
                return;
            };
            let properties = branch.get("properties").and_then(Value::as_object);
            let required = |key: &str| {
                branch
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|names| names.iter().any(|name| name == key))
            };
            members.retain(|key, member| {
                let optional = properties.is_some_and(|p| p.contains_key(key)) && !required(key);
                !(member.is_null() && optional)
            });
            let extra = branch
                .get("additionalProperties")
                .filter(|schema| schema.is_object());
            for (key, member) in members.iter_mut() {
                if let Some(schema) = properties.and_then(|p| p.get(key)).or(extra) {
                    normalize(member, schema, root, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            let prefix = branches
                .iter()
                .find_map(|branch| branch.get("prefixItems").and_then(Value::as_array));
            let rest = branches.iter().find_map(|branch| branch.get("items"));
            for (index, item) in items.iter_mut().enumerate() {
                if let Some(schema) = prefix.and_then(|p| p.get(index)).or(rest) {
                    normalize(item, schema, root, depth + 1);
                }
            }
        }
        Value::Number(number) => {
            let accepts = |wanted: &str| {
                branches.iter().any(|branch| match branch.get("type") {
                    Some(Value::String(t)) => t == wanted,
                    Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
                    _ => false,
                })
            };
            if accepts("integer") && !accepts("number") {
                if let Some(integer) = integral(number) {
                    *number = integer;
                }
            }
        }
        _ => {}
    }
}

/// The alternatives a schema offers: its `anyOf` members (nested ones flattened), or itself;
/// `$ref`s to the root's `$defs` followed.
fn branches<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut pending = vec![schema];
    while let Some(schema) = pending.pop() {
        if out.len() + pending.len() > 64 {
            break;
        }
        let schema = resolve(schema, root);
        match schema.get("anyOf").and_then(Value::as_array) {
            Some(members) => pending.extend(members.iter().rev()),
            None => out.push(schema),
        }
    }
    out
}

fn resolve<'a>(mut schema: &'a Value, root: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        else {
            break;
        };
        match root.get("$defs").and_then(|defs| defs.get(name)) {
            Some(definition) => schema = definition,
            None => break,
        }
    }
    schema
}

fn integral(number: &Number) -> Option<Number> {
    let float = number.as_f64().filter(|_| number.is_f64())?;
    if float.fract() != 0.0 {
        return None;
    }
    if float >= 0.0 && float < u64::MAX as f64 {
        Some(Number::from(float as u64))
    } else if float < 0.0 && float >= i64::MIN as f64 {
        Some(Number::from(float as i64))
    } else {
        None
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Args {
        location: String,
        unit: Option<String>,
        #[serde(default)]
        inner: Inner,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        count: u8,
    }

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "location": {"type": "string"},
            "unit": {"type": ["string", "null"]},
            "inner": {"type": "object", "properties": {"count": {"type": "integer"}}}
        }, "required": ["location"]})
    }

    fn parse(text: &str) -> Result<Args, ToolError> {
        let schema = schema();
        parse_arguments(text, || &schema)
    }

    fn invalid(message: &str) -> Result<Args, ToolError> {
        Err(ToolError::InvalidArguments(message.into()))
    }

    #[test]
    fn nulls_of_optional_properties_mean_absent_at_any_depth() {
        assert_eq!(
            parse(r#"{"location": "Paris", "unit": null, "inner": {"count": null}}"#),
            Ok(Args {
                location: "Paris".into(),
                unit: None,
                inner: Inner { count: 0 }
            })
        );
        assert_eq!(
            parse(r#"{"location": null}"#),
            invalid("location: invalid type: null, expected a string")
        );
        assert_eq!(
            parse(r#"{"location": "Paris", "units": null}"#),
            invalid("units: unknown field `units`, expected one of `location`, `unit`, `inner`")
        );
    }

    #[test]
    fn integral_floats_are_integers_where_an_integer_is_wanted() {
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 3.0}}"#),
            Ok(Args {
                location: "Paris".into(),
                unit: None,
                inner: Inner { count: 3 }
            })
        );
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 3.5}}"#),
            invalid("inner.count: invalid type: floating point `3.5`, expected u8")
        );
    }

    #[test]
    fn errors_name_the_path() {
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 300}}"#),
            invalid("inner.count: invalid value: integer `300`, expected u8")
        );
        assert_eq!(
            parse(r#"{"unit": "c"}"#),
            invalid("missing field `location`")
        );
        assert_eq!(
            parse(r#"["Paris", null]"#),
            invalid("the arguments must be a JSON object, not an array")
        );
    }

    #[test]
    fn doubly_encoded_arguments_are_decoded() {
        assert_eq!(
            parse(r#""{\"location\": \"Oslo\"}""#),
            Ok(Args {
                location: "Oslo".into(),
                unit: None,
                inner: Inner::default()
            })
        );
    }
}
