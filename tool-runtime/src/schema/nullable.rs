//! Adding `null` to what a schema accepts, in the most compact form that says so.

use serde_json::{json, Value};

/// Makes `schema` accept `null` as well as what it accepted before.
pub(crate) fn make_nullable(schema: &mut Value) {
    if accepts_null(schema) {
        return;
    }
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let composed = ["anyOf", "allOf", "oneOf", "$ref", "const", "not"]
        .iter()
        .any(|key| object.contains_key(*key));
    if !composed {
        let added_to_type = match object.get_mut("type") {
            Some(Value::String(t)) => {
                let t = std::mem::take(t);
                object.insert("type".into(), json!([t, "null"]));
                true
            }
            Some(Value::Array(types)) => {
                types.push("null".into());
                true
            }
            _ => false,
        };
        if added_to_type {
            if let Some(Value::Array(values)) = object.get_mut("enum") {
                values.push(Value::Null);
            }
            return;
        }
    }
    let only_any_of = object
        .keys()
        .all(|key| key == "anyOf" || ANNOTATIONS.contains(&key.as_str()));
    if let (Some(Value::Array(members)), true) = (object.get_mut("anyOf"), only_any_of) {
        members.push(json!({"type": "null"}));
        return;
    }
    // Anything else: wrap it, keeping the description outside where a model reads it first.
    let description = object.remove("description");
    let inner = std::mem::take(object);
    object.insert("anyOf".into(), json!([inner, {"type": "null"}]));
    if let Some(description) = description {
        object.insert("description".into(), description);
    }
}

/// Keywords that describe and do not constrain.
pub(crate) const ANNOTATIONS: &[&str] = &["description", "default", "title", "examples"];

fn accepts_null(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return schema == &Value::Bool(true);
    };
    if object.is_empty() {
        return true;
    }
    let by_type = match object.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    let enum_ok = match object.get("enum") {
        Some(Value::Array(values)) => values.contains(&Value::Null),
        _ => true,
    };
    let by_any_of = match object.get("anyOf") {
        Some(Value::Array(members)) => members.iter().any(accepts_null),
        _ => false,
    };
    (by_type && enum_ok) || by_any_of
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nullable(mut schema: Value) -> Value {
        make_nullable(&mut schema);
        schema
    }

    #[test]
    fn forms() {
        assert_eq!(
            nullable(json!({"type": "string"})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            nullable(json!({"type": "string", "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            nullable(json!({"type": ["string", "null"]})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            nullable(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})
        );
        assert_eq!(
            nullable(json!({"$ref": "#/$defs/Node", "description": "d"})),
            json!({"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "description": "d"})
        );
        assert_eq!(
            nullable(json!({"type": "string", "const": "x"})),
            json!({"anyOf": [{"type": "string", "const": "x"}, {"type": "null"}]})
        );
        assert_eq!(nullable(json!({})), json!({}));
        assert_eq!(
            nullable(json!({"anyOf": [{"const": "a"}], "description": "d", "default": "a"})),
            json!({"anyOf": [{"const": "a"}, {"type": "null"}], "description": "d", "default": "a"})
        );
    }
}
