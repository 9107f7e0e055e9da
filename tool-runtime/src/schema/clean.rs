//! Removes what validators want and models do not, and states integer widths as bounds.

use serde_json::{json, Map, Value};

use super::nullable::ANNOTATIONS;
use super::{for_each_subschema, make_nullable};

/// `format` values in the JSON Schema vocabulary. Anything else (`uint32`, `double`, `int`)
/// is a schemars hint no provider understands.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

pub(super) fn clean(schema: &mut Value) {
    match schema {
        // `true` ("anything") is not a schema object some providers accept; `{}` says the same.
        // (`false` stays: it is what `additionalProperties: false` is made of.)
        Value::Bool(true) => *schema = json!({}),
        Value::Object(object) => {
            object.remove("$schema");
            promote_title(object);
            integer_bounds(object);
            if let Some(one_of) = object.remove("oneOf") {
                // serde tries the variants of an untagged enum in order and takes the first
                // that fits: that is `anyOf`, and `anyOf` is what strict mode supports.
                if !object.contains_key("anyOf") {
                    object.insert("anyOf".into(), one_of);
                } else {
                    object.insert("allOf".into(), json!([{"anyOf": one_of}]));
                }
            }
            close_struct_object(object);
        }
        _ => {}
    }
    for_each_subschema(schema, &mut clean);
    collapse_nullable(schema);
}

/// A `title` is noise to a model unless it is the only text there is.
fn promote_title(object: &mut Map<String, Value>) {
    if let Some(title) = object.remove("title") {
        if !object.contains_key("description") {
            object.insert("description".into(), title);
        }
    }
}

/// Turns schemars' `format: "uint32"` into the `minimum`/`maximum` that the deserializer
/// enforces, so the schema forbids what dispatch would reject. Existing bounds are tighter
/// (`NonZeroU32` has `minimum: 1`) and are kept.
fn integer_bounds(object: &mut Map<String, Value>) {
    let Some(format) = object.get("format").and_then(Value::as_str) else {
        return;
    };
    if STANDARD_FORMATS.contains(&format) {
        return;
    }
    let (min, max): (Value, Value) = match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "int" => ((isize::MIN as i64).into(), (isize::MAX as i64).into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" => (0.into(), u64::MAX.into()),
        "uint" => (0.into(), (usize::MAX as u64).into()),
        // serde_json reads integers beyond 64 bits as floats, which no integer accepts.
        "uint128" => (0.into(), u64::MAX.into()),
        "int128" => (i64::MIN.into(), i64::MAX.into()),
        _ => (Value::Null, Value::Null),
    };
    object.remove("format");
    if !min.is_null() {
        object.entry("minimum").or_insert(min);
    }
    if !max.is_null() {
        object.entry("maximum").or_insert(max);
    }
}

/// A struct's object schema lists every field it has, so anything else is a mistake the
/// model should not be allowed to make. Maps (with an `additionalProperties` schema) and
/// objects assembled from parts (`allOf`, `anyOf`: serde's `flatten`) are left alone:
/// `additionalProperties: false` there would reject the other parts' properties.
fn close_struct_object(object: &mut Map<String, Value>) {
    let is_object = match object.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => false,
    };
    let composed = ["allOf", "anyOf", "oneOf", "$ref", "additionalProperties"]
        .iter()
        .any(|key| object.contains_key(*key));
    if is_object && !composed && object.contains_key("properties") {
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
}

/// `anyOf: [X, {"type": "null"}]` (how schemars writes `Option<Enum>`) says the same as
/// `X` with `null` added to its type, or, when `X` is itself an `anyOf`, as one `anyOf`
/// with `null` as a last member: fewer bytes, and one level less for the model to read.
fn collapse_nullable(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let Some(Value::Array(members)) = object.get("anyOf") else {
        return;
    };
    if members.len() != 2 || members[1] != json!({"type": "null"}) {
        return;
    }
    let inner = &members[0];
    let nested_any_of = inner.get("anyOf").is_some()
        && inner.as_object().is_some_and(|o| {
            o.keys()
                .all(|key| key == "anyOf" || ANNOTATIONS.contains(&key.as_str()))
        });
    if nested_any_of {
        let mut inner = inner.clone();
        let Some(Value::Array(mut alternatives)) =
            inner.as_object_mut().and_then(|o| o.remove("anyOf"))
        else {
            return;
        };
        alternatives.push(json!({"type": "null"}));
        object.insert("anyOf".into(), Value::Array(alternatives));
        // The outer schema's own description (a field's) wins over the type's.
        if let Value::Object(annotations) = inner {
            for (key, value) in annotations {
                object.entry(key).or_insert(value);
            }
        }
        return;
    }
    let simple = matches!(inner.get("type"), Some(Value::String(_)))
        && !["anyOf", "allOf", "oneOf", "$ref", "const", "not"]
            .iter()
            .any(|key| inner.get(*key).is_some());
    if !simple {
        return;
    }
    let mut inner = inner.clone();
    make_nullable(&mut inner);
    let Some(mut inner) = inner.as_object().cloned() else {
        return;
    };
    object.remove("anyOf");
    // The outer schema's own keywords (a field's description) are more specific.
    for (key, value) in std::mem::take(object) {
        inner.insert(key, value);
    }
    *object = inner;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(mut schema: Value) -> Value {
        clean(&mut schema);
        schema
    }

    #[test]
    fn integer_formats_become_bounds() {
        assert_eq!(
            cleaned(json!({"type": "integer", "format": "int32"})),
            json!({"type": "integer", "minimum": -2147483648i64, "maximum": 2147483647})
        );
        assert_eq!(
            cleaned(json!({"type": "integer", "format": "uint32", "minimum": 1})),
            json!({"type": "integer", "minimum": 1, "maximum": 4294967295u32})
        );
        assert_eq!(
            cleaned(json!({"type": "number", "format": "double"})),
            json!({"type": "number"})
        );
        assert_eq!(
            cleaned(json!({"type": "string", "format": "date-time"})),
            json!({"type": "string", "format": "date-time"})
        );
    }

    #[test]
    fn a_property_named_title_is_data_not_a_keyword() {
        assert_eq!(
            cleaned(json!({"type": "object", "title": "Book", "properties": {
                "title": {"type": "string", "title": "Title"}
            }})),
            json!({"type": "object", "description": "Book", "properties": {
                "title": {"type": "string", "description": "Title"}
            }, "additionalProperties": false})
        );
    }

    #[test]
    fn maps_and_flattened_objects_stay_open() {
        let map = json!({"type": "object", "additionalProperties": {"type": "integer"}});
        assert_eq!(cleaned(map.clone()), map);
        let flattened = json!({"type": "object", "properties": {"a": {"type": "string"}},
            "anyOf": [{"properties": {"b": {"type": "string"}}}]});
        assert_eq!(cleaned(flattened.clone()), flattened);
    }

    #[test]
    fn nullable_documented_enum_is_one_any_of() {
        assert_eq!(
            cleaned(json!({"anyOf": [
                {"description": "How urgent.", "oneOf": [{"const": "low"}, {"const": "high"}]},
                {"type": "null"}
            ], "description": "Mine."})),
            json!({"anyOf": [{"const": "low"}, {"const": "high"}, {"type": "null"}], "description": "Mine."})
        );
    }

    #[test]
    fn nullable_enum_collapses() {
        assert_eq!(
            cleaned(
                json!({"anyOf": [{"type": "string", "enum": ["c", "f"]}, {"type": "null"}],
                "description": "unit"})
            ),
            json!({"type": ["string", "null"], "enum": ["c", "f", null], "description": "unit"})
        );
    }
}
