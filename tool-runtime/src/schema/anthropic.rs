//! The strict form of a schema for Anthropic's strict tool use (docs/providers.md,
//! "Anthropic strict tool use"): no recursion, no numeric or length bounds.
//!
//! Unlike OpenAI's strict form, optional properties stay optional: Anthropic's strict
//! mode honours `required`, so nothing has to become nullable.

use serde_json::Value;

use super::hints::{lengths_as_pattern, move_to_description};
use super::{below, for_each_subschema};

/// `format` values Anthropic's strict mode knows.
const FORMATS: &[&str] = &[
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "uri",
    "ipv4",
    "ipv6",
    "uuid",
];

/// The Anthropic strict form of a plain schema that has an OpenAI strict form (so no
/// maps, free-form values or unsupported composition), or why there is none: a `$ref`
/// left after inlining is a recursive type.
pub(crate) fn anthropic_strict_form(plain: &Value) -> Result<Value, String> {
    if let Some(pointer) = find_ref(plain, &mut String::new()) {
        return Err(format!(
            "{pointer}: a recursive type (`$ref`) cannot be strict for Anthropic"
        ));
    }
    let mut schema = plain.clone();
    say_bounds(&mut schema);
    Ok(schema)
}

fn say_bounds(schema: &mut Value) {
    if let Some(object) = schema.as_object_mut() {
        lengths_as_pattern(object);
        move_to_description(object, |key, value| match key {
            "pattern" | "default" => false,
            "format" => !value
                .as_str()
                .is_some_and(|format| FORMATS.contains(&format)),
            // Array sizes beyond "may be empty" or "not empty" are not enforced.
            "minItems" => value.as_u64().is_none_or(|n| n > 1),
            _ => true,
        });
    }
    for_each_subschema(schema, &mut say_bounds);
}

/// The JSON pointer of the first `$ref`, if any.
fn find_ref(schema: &Value, pointer: &mut String) -> Option<String> {
    let object = schema.as_object()?;
    if object.contains_key("$ref") {
        return Some(if pointer.is_empty() {
            "/".into()
        } else {
            pointer.clone()
        });
    }
    for (key, value) in object {
        let found = match value {
            Value::Object(members) if matches!(key.as_str(), "properties" | "$defs") => members
                .iter()
                .find_map(|(name, member)| find_ref_below(pointer, &[key, name], member)),
            Value::Array(members) if matches!(key.as_str(), "anyOf" | "allOf" | "prefixItems") => {
                members
                    .iter()
                    .enumerate()
                    .find_map(|(i, member)| find_ref_below(pointer, &[key, &i.to_string()], member))
            }
            Value::Object(_) if matches!(key.as_str(), "items" | "additionalProperties") => {
                find_ref_below(pointer, &[key], value)
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn find_ref_below(pointer: &mut String, segments: &[&str], schema: &Value) -> Option<String> {
    below(pointer, segments, |pointer| find_ref(schema, pointer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bounds_move_and_optionals_stay_optional() {
        let plain = json!({"type": "object", "properties": {
            "rows": {"type": "integer", "description": "Rows.", "minimum": 1, "maximum": 255, "default": 10},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3},
            "day": {"type": "string", "format": "date", "pattern": "^2"}
        }, "required": ["day"], "additionalProperties": false});
        assert_eq!(
            anthropic_strict_form(&plain),
            Ok(json!({"type": "object", "properties": {
                "rows": {"type": "integer", "description": "Rows. (at least 1, at most 255)", "default": 10},
                "tags": {"type": "array", "items": {"type": "string", "pattern": "^[\\s\\S]{0,8}$"},
                         "minItems": 1, "description": "at most 3 items"},
                "day": {"type": "string", "format": "date", "pattern": "^2"}
            }, "required": ["day"], "additionalProperties": false}))
        );
    }

    #[test]
    fn recursion_has_no_strict_form() {
        let plain = json!({"type": "object", "properties": {
            "tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}}}
        }, "$defs": {"Tree": {"type": "object"}}});
        assert_eq!(
            anthropic_strict_form(&plain),
            Err("/properties/tree/properties/children/items: a recursive type (`$ref`) cannot be strict for Anthropic".into())
        );
    }
}
