//! A JSON value shaped by a JSON Schema, drawn from fuzz bytes: mostly what the schema
//! allows (its properties, enums, branches, `$ref`s), with edge numbers and now and then
//! something it does not, so the differential check sees many valid arguments.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value};

use crate::json;

/// A value for `schema`, whose `$ref`s point into `root`'s `$defs`.
pub fn for_schema(
    u: &mut Unstructured<'_>,
    schema: &Value,
    root: &Value,
    depth: u32,
) -> Result<Value> {
    if depth > 8 || u.ratio(1, 40)? {
        return json::build(u, &["a", "kind", "t", "c", "x"], 4);
    }
    let Some(object) = schema.as_object() else {
        return json::build(u, &[], 5);
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .unwrap_or(&Value::Null);
        return for_schema(u, target, root, depth + 1);
    }
    if let Some(value) = object.get("const") {
        return Ok(value.clone());
    }
    if let Some(Value::Array(options)) = object.get("enum") {
        if !options.is_empty() {
            return Ok(u.choose(options)?.clone());
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = object.get(key) {
            if !branches.is_empty() {
                let branch = u.choose(branches)?;
                return for_schema(u, branch, root, depth + 1);
            }
        }
    }
    if let Some(Value::Array(parts)) = object.get("allOf") {
        // Merge the objects the parts make (what `flatten` gives).
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(made) = for_schema(u, part, root, depth + 1)? {
                merged.extend(made);
            }
        }
        return Ok(Value::Object(merged));
    }
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) if !kinds.is_empty() => {
            u.choose(kinds)?.as_str().unwrap_or("null").to_owned()
        }
        _ if object.contains_key("properties") => "object".to_owned(),
        _ => return json::build(u, &[], 5),
    };
    Ok(match kind.as_str() {
        "null" => Value::Null,
        "boolean" => Value::Bool(u.arbitrary()?),
        "integer" | "number" => json::number(u)?,
        "string" => {
            let max = object.get("maxLength").and_then(Value::as_u64);
            if max == Some(1) || u.ratio(1, 4)? {
                Value::String(u.arbitrary::<char>()?.to_string())
            } else {
                Value::String(u.arbitrary()?)
            }
        }
        "array" => {
            let fixed = object.get("prefixItems").and_then(Value::as_array);
            let len = match (fixed, object.get("minItems").and_then(Value::as_u64)) {
                (Some(items), _) => items.len(),
                (None, Some(min)) if u.ratio(3, 4)? => usize::try_from(min).unwrap_or(0).min(8),
                _ => u.int_in_range(0..=3)?,
            };
            let mut items = Vec::with_capacity(len);
            for i in 0..len {
                let item = fixed
                    .and_then(|items| items.get(i))
                    .or_else(|| object.get("items"))
                    .unwrap_or(&Value::Null);
                items.push(for_schema(u, item, root, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let mut map = Map::new();
            let required: Vec<&str> = object
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = object.get("properties") {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) || u.arbitrary()? {
                        map.insert(name.clone(), for_schema(u, property, root, depth + 1)?);
                    }
                }
            }
            if let Some(values) = object.get("additionalProperties").filter(|v| v.is_object()) {
                for _ in 0..u.int_in_range(0..=2)? {
                    let key = if u.arbitrary()? {
                        json::number(u)?.to_string()
                    } else {
                        json::word(u, &["a", "1", "-1", "256", "x"])?
                    };
                    map.insert(key, for_schema(u, values, root, depth + 1)?);
                }
            }
            Value::Object(map)
        }
    })
}
