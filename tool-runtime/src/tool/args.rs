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

/// The arguments as a JSON object, read as leniently as [`parse_arguments`] reads them
/// (empty text, `null` for an optional property, `2.0` for an integer), for tools that take
/// JSON and check it against their schema themselves: run-time tools.
#[cfg(feature = "runtime-tools")]
pub(crate) fn parse_value(text: &str, schema: &Value) -> Result<Value, ToolError> {
    parse_leniently(text, schema).map_err(ToolError::InvalidArguments)
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
            let Some(picked) = pick_branch(members, &branches) else {
                return;
            };
            // A flattened enum's variants sit in an `anyOf` beside the struct's own
            // properties: the struct's properties and one variant's describe this object.
            let (branch, own) = match picked.get("anyOf").and_then(Value::as_array) {
                Some(variants) => {
                    let variants: Vec<&Value> = variants.iter().map(|v| resolve(v, root)).collect();
                    (
                        pick_branch(members, &variants).unwrap_or(picked),
                        Some(picked),
                    )
                }
                None => (picked, None),
            };
            // Two flattened enums: `allOf: [{"anyOf": variants}, ...]`, one variant of each.
            let mut parts: Vec<&Value> = [Some(branch), own].into_iter().flatten().collect();
            for part in picked
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(variant) = pick_branch(members, &self::branches(part, root)) {
                    parts.push(variant);
                }
            }
            let property = |key: &str| {
                parts
                    .iter()
                    .find_map(|schema| schema.get("properties").and_then(|p| p.get(key)))
            };
            let required = |key: &str| {
                parts.iter().any(|schema| {
                    schema
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|names| names.iter().any(|name| name == key))
                })
            };
            members.retain(|key, member| {
                let optional = property(key).is_some() && !required(key);
                !(member.is_null() && optional)
            });
            // A map's values: `additionalProperties`, or the one schema of its key patterns
            // (an integer-keyed map's; with no regex engine here, the key is not matched:
            // serde refuses a key the pattern does not allow anyway).
            let patterns = branch
                .get("patternProperties")
                .and_then(Value::as_object)
                .and_then(|patterns| {
                    let mut schemas = patterns.values();
                    let first = schemas.next()?;
                    schemas.all(|other| other == first).then_some(first)
                });
            let extra = branch
                .get("additionalProperties")
                .filter(|schema| schema.is_object())
                .or(patterns);
            for (key, member) in members.iter_mut() {
                if let Some(schema) = property(key).or(extra) {
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

/// The alternative of an object's schema that `members` are meant for: the one whose
/// discriminating constants (an enum's tag: `"kind": {"const": "Square"}`) the members have,
/// then the one with the fewest keys it does not know (externally tagged and untagged
/// variants differ in their keys). A branch whose constant a member contradicts comes
/// last. On a tie, the first in the schema's order: the variant serde tries first.
fn pick_branch<'a>(members: &Map<String, Value>, branches: &[&'a Value]) -> Option<&'a Value> {
    let mut best: Option<(&Value, Fit)> = None;
    for &branch in branches {
        let properties = branch.get("properties").and_then(Value::as_object);
        let open = ["additionalProperties", "patternProperties"];
        if properties.is_none() && !open.iter().any(|key| branch.get(*key).is_some()) {
            continue;
        }
        let mut contradicted = false;
        let mut matched = 0;
        for (key, property) in properties.into_iter().flatten() {
            let (Some(constant), Some(member)) = (constant_of(property), members.get(key)) else {
                continue;
            };
            if member == constant {
                matched += 1;
            } else {
                contradicted = true;
            }
        }
        let unknown = members
            .keys()
            .filter(|key| !properties.is_some_and(|p| p.contains_key(*key)))
            .count();
        let score: Fit = (!contradicted, matched, std::cmp::Reverse(unknown));
        // Strictly better only: on a tie, the earlier branch stays.
        if best.as_ref().is_none_or(|(_, best)| score > *best) {
            best = Some((branch, score));
        }
    }
    best.map(|(branch, _)| branch)
}

/// How well an object fits a branch, best last: no contradicted constant, constants
/// matched, fewest unknown keys.
type Fit = (bool, usize, std::cmp::Reverse<usize>);

/// The one value a schema allows, if it says so (`const`, or an `enum` of one).
fn constant_of(schema: &Value) -> Option<&Value> {
    schema.get("const").or_else(|| match schema.get("enum") {
        Some(Value::Array(values)) if values.len() == 1 => values.first(),
        _ => None,
    })
}

/// The alternatives a schema offers: its `anyOf` members (nested ones flattened), or itself;
/// `$ref`s to the root's `$defs` followed. An `anyOf` beside `properties` (a flattened
/// enum) is not a choice of alternatives for the object: the schema is one alternative.
fn branches<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut pending = vec![schema];
    while let Some(schema) = pending.pop() {
        if out.len() + pending.len() > 64 {
            break;
        }
        let schema = resolve(schema, root);
        match schema.get("anyOf").and_then(Value::as_array) {
            // A struct with a flattened enum is one alternative, variants and all.
            Some(members) if schema.get("properties").is_none() => {
                pending.extend(members.iter().rev());
            }
            _ => out.push(schema),
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

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "t", content = "c")]
    enum Msg {
        Text(String),
        Num(i64),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Send {
        msg: Msg,
    }

    /// Both variants know the keys `t` and `c`: the tag's `const` decides.
    #[test]
    fn the_tag_picks_the_branch_before_the_keys() {
        let schema = json!({"type": "object", "properties": {"msg": {"anyOf": [
            {"type": "object", "properties": {"t": {"const": "Num"}, "c": {"type": "integer"}},
             "required": ["t", "c"]},
            {"type": "object", "properties": {"t": {"const": "Text"}, "c": {"type": "string"}},
             "required": ["t", "c"]}
        ]}}});
        let parsed: Result<Send, _> =
            parse_arguments(r#"{"msg": {"t": "Num", "c": 3.0}}"#, || &schema);
        assert_eq!(parsed, Ok(Send { msg: Msg::Num(3) }));
    }

    #[test]
    fn a_tie_takes_the_first_branch() {
        let first = json!({"properties": {"a": {"type": "integer"}}});
        let second = json!({"properties": {"a": {"type": "number"}}});
        let contradicted = json!({"properties": {"a": {"type": "integer"}, "t": {"const": "x"}}});
        let members = json!({"a": 1.0, "t": "y"});
        let members = members.as_object().unwrap();
        assert_eq!(pick_branch(members, &[&first, &second]), Some(&first));
        assert_eq!(
            pick_branch(members, &[&contradicted, &second]),
            Some(&second)
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
