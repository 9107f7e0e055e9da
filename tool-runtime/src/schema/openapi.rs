//! Gemini's older `parameters` form: the OpenAPI 3.0 subset (docs/providers.md,
//! "Gemini legacy OpenAPI subset"): upper-case types, `nullable: true` instead of `null` in a type or an
//! `anyOf`, `enum` instead of `const`, and no `additionalProperties: false`.
//!
//! What the subset cannot say at all (maps, recursion, tuples, free-form values) is left
//! in place for the validator to report, rather than turned into something that means
//! less: such a tool belongs in `parametersJsonSchema`.

use serde_json::{json, Map, Value};

use super::for_each_subschema;
use super::hints::move_to_description;

/// `format` values the subset knows, by type.
fn known_format(kind: Option<&str>, format: &Value) -> bool {
    matches!(
        (kind, format.as_str()),
        (Some("STRING"), Some("enum" | "date-time"))
            | (Some("INTEGER"), Some("int32" | "int64"))
            | (Some("NUMBER"), Some("float" | "double"))
    )
}

/// The OpenAPI-subset form of a plain schema.
pub(crate) fn openapi_form(plain: &Value) -> Value {
    let mut schema = plain.clone();
    convert(&mut schema);
    schema
}

fn convert(schema: &mut Value) {
    for_each_subschema(schema, &mut convert);
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    // Annotations `Schema` has no field for, which constrain nothing.
    for key in ["deprecated", "readOnly", "writeOnly", "$comment"] {
        object.remove(key);
    }
    if let Some(value) = object.remove("const") {
        object.insert("enum".into(), json!([value]));
    }
    if let Some(Value::Array(examples)) = object.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            object.insert("example".into(), first);
        }
    }
    let mut nullable = false;
    match object.get_mut("type") {
        Some(Value::Array(types)) => {
            let before = types.len();
            types.retain(|t| t != "null");
            nullable = types.len() < before;
            if types.len() == 1 {
                let only = types.remove(0);
                object.insert("type".into(), only);
            }
        }
        Some(Value::String(_)) | None => {}
        Some(_) => {}
    }
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        let before = values.len();
        values.retain(|value| !value.is_null());
        nullable |= values.len() < before;
    }
    if let Some(Value::Array(members)) = object.get_mut("anyOf") {
        let before = members.len();
        members.retain(|member| !is_null(member));
        nullable |= members.len() < before;
        if members.len() == 1 {
            let only = members.remove(0);
            object.remove("anyOf");
            hoist(object, only);
        }
    }
    match object.get_mut("type") {
        Some(Value::String(t)) => *t = t.to_ascii_uppercase(),
        Some(Value::Array(types)) => {
            // Several types: one `anyOf` member per type is what the subset can say.
            let members: Vec<Value> = types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| json!({"type": t.to_ascii_uppercase()}))
                .collect();
            object.remove("type");
            object.insert("anyOf".into(), Value::Array(members));
        }
        _ => {}
    }
    if nullable {
        object.insert("nullable".into(), true.into());
    }
    if object.get("additionalProperties") == Some(&Value::Bool(false)) {
        object.remove("additionalProperties");
    }
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if kind.as_deref() == Some("STRING") && object.contains_key("enum") {
        object.insert("format".into(), "enum".into());
    }
    move_to_description(object, |key, value| match key {
        "format" => !known_format(kind.as_deref(), value),
        "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" | "uniqueItems" => true,
        _ => false,
    });
}

fn is_null(schema: &Value) -> bool {
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("null" | "NULL")
    ) && schema.as_object().is_some_and(|object| object.len() == 1)
}

/// Merges the one member left of an `anyOf` into the schema that held it; the outer
/// description wins, as it is the parameter's own.
fn hoist(object: &mut Map<String, Value>, member: Value) {
    if let Value::Object(member) = member {
        for (key, value) in member {
            object.entry(key).or_insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_nullables_and_enums() {
        let plain = json!({"type": "object", "properties": {
            "location": {"type": "string", "description": "The city."},
            "unit": {"anyOf": [{"type": "string", "enum": ["celsius", "fahrenheit"]}, {"type": "null"}],
                     "description": "The unit."},
            "limit": {"type": ["integer", "null"], "minimum": 0, "maximum": 255},
            "mode": {"const": "fast", "type": "string"},
            "when": {"type": "string", "format": "date"},
            "ratio": {"type": "number", "exclusiveMinimum": 0}
        }, "required": ["location"], "additionalProperties": false});
        assert_eq!(
            openapi_form(&plain),
            json!({"type": "OBJECT", "properties": {
                "location": {"type": "STRING", "description": "The city."},
                "unit": {"description": "The unit.", "type": "STRING", "enum": ["celsius", "fahrenheit"],
                         "nullable": true, "format": "enum"},
                "limit": {"type": "INTEGER", "minimum": 0, "maximum": 255, "nullable": true},
                "mode": {"type": "STRING", "enum": ["fast"], "format": "enum"},
                "when": {"type": "STRING", "description": "format: date"},
                "ratio": {"type": "NUMBER", "description": "greater than 0"}
            }, "required": ["location"]})
        );
    }

    /// Annotations Gemini's `Schema` has no field for constrain nothing: they go, as in
    /// the strict form, rather than fail the request (`#[deprecated]` fields have one).
    #[test]
    fn annotations_without_a_field_go() {
        let plain = json!({"type": "object", "properties": {
            "old": {"type": "string", "deprecated": true, "description": "Old.", "$comment": "x"},
            "id": {"type": "integer", "readOnly": true, "writeOnly": false}
        }, "additionalProperties": false});
        assert_eq!(
            openapi_form(&plain),
            json!({"type": "OBJECT", "properties": {
                "old": {"type": "STRING", "description": "Old."},
                "id": {"type": "INTEGER"}
            }})
        );
    }

    #[test]
    fn what_the_subset_cannot_say_stays_for_the_validator() {
        let plain = json!({"type": "object", "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "tree": {"$ref": "#/$defs/Tree"}
        }, "additionalProperties": false, "$defs": {"Tree": {"type": "object"}}});
        assert_eq!(
            openapi_form(&plain),
            json!({"type": "OBJECT", "properties": {
                "labels": {"type": "OBJECT", "additionalProperties": {"type": "STRING"}},
                "tree": {"$ref": "#/$defs/Tree"}
            }, "$defs": {"Tree": {"type": "OBJECT"}}})
        );
    }
}
