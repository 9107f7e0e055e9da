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
            integer_key_patterns(object);
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
    if let Some(object) = schema.as_object_mut() {
        if object.contains_key("properties") {
            open_flattened_parts(object);
        }
    }
    collapse_nullable(schema);
}

/// An object with its own `properties` and an `anyOf` or `allOf` beside them is a struct
/// with a flattened enum (serde's `flatten`): each variant describes some of the object's
/// keys, so `additionalProperties: false` there would forbid the struct's own keys and the
/// schema would allow nothing. The parts stay open (the struct's object is open too, see
/// [`close_struct_object`]).
fn open_flattened_parts(object: &mut Map<String, Value>) {
    for key in ["anyOf", "allOf"] {
        if let Some(Value::Array(parts)) = object.get_mut(key) {
            for part in parts {
                if let Some(part) = part.as_object_mut() {
                    if part.get("additionalProperties") == Some(&Value::Bool(false)) {
                        part.remove("additionalProperties");
                    }
                    // `allOf: [{"anyOf": variants}]`: two flattened enums.
                    open_flattened_parts(part);
                }
            }
        }
    }
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
        // JSON Schema cannot tell `1e20` (a float to serde, refused) from
        // `100000000000000000000` (read by the well-formed path only: arguments that need
        // the lenient one go through `serde_json::Value`, whose integers stop at 64 bits).
        // So the schema says the range every path accepts, which is every 64-bit integer:
        // `i128` takes `u64` values too.
        "uint128" => (0.into(), u64::MAX.into()),
        "int128" => (i64::MIN.into(), u64::MAX.into()),
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

/// schemars' patterns for the keys of an integer-keyed map, unsigned and signed.
const UNSIGNED_KEYS: &str = r"^\d+$";
const SIGNED_KEYS: &str = r"^-?\d+$";

/// Makes the key patterns of integer-keyed maps (`BTreeMap<u32, _>`) say which keys
/// serde_json accepts: a key is read as a JSON number, so `00`, `+1`, `-0`, `1.0` and
/// non-ASCII digits (which `\d` matches) are refused, and so is a key past the width.
///
/// schemars writes one pattern for every unsigned width and one for every signed width:
/// the width is gone before this pass sees the schema. The patterns therefore allow the
/// 32-bit range (`0..=4294967295`, `-2147483648..=2147483647`): exact for `u32`/`i32` keys,
/// narrower than what 64- and 128-bit keys accept (a schema narrower than dispatch is
/// harmless; 32-bit ids are the common map key), and wider than `u8`/`u16`/`i8`/`i16`
/// keys accept, which dispatch then refuses with the key's path (docs/design.md,
/// "Schemas", says so).
fn integer_key_patterns(object: &mut Map<String, Value>) {
    let Some(Value::Object(patterns)) = object.get_mut("patternProperties") else {
        return;
    };
    let exact = |pattern: &str| match pattern {
        UNSIGNED_KEYS => Some(integer_key_pattern(0, i128::from(u32::MAX))),
        SIGNED_KEYS => Some(integer_key_pattern(
            i128::from(i32::MIN),
            i128::from(i32::MAX),
        )),
        _ => None,
    };
    if !patterns.keys().any(|pattern| exact(pattern).is_some()) {
        return;
    }
    *patterns = std::mem::take(patterns)
        .into_iter()
        .map(|(pattern, schema)| (exact(&pattern).unwrap_or(pattern), schema))
        .collect();
}

/// A pattern matching exactly the decimal integers from `min` to `max` as JSON writes them
/// (no leading zeros, no `+`, no `-0`); `min <= 0 <= max`.
fn integer_key_pattern(min: i128, max: i128) -> String {
    let mut alternatives = vec!["0".to_owned()];
    if max > 0 {
        alternatives.push(positive_up_to(max.unsigned_abs()));
    }
    if min < 0 {
        alternatives.push(format!("-(?:{})", positive_up_to(min.unsigned_abs())));
    }
    format!("^(?:{})$", alternatives.join("|"))
}

/// A regular expression for the integers from 1 to `max` (at least 1), without leading zeros:
/// every shorter length, then, digit by digit, the numbers of `max`'s length below it.
fn positive_up_to(max: u128) -> String {
    let digits: Vec<u8> = max.to_string().bytes().map(|b| b - b'0').collect();
    let length = digits.len();
    let mut alternatives = Vec::new();
    match length {
        1 => {}
        2 => alternatives.push("[1-9]".to_owned()),
        _ => alternatives.push(format!("[1-9][0-9]{{0,{}}}", length - 2)),
    }
    let mut prefix = String::new();
    for (index, &digit) in digits.iter().enumerate() {
        let lowest = u8::from(index == 0);
        if digit > lowest {
            let range = if digit - 1 == lowest {
                lowest.to_string()
            } else {
                format!("[{lowest}-{}]", digit - 1)
            };
            let rest = length - index - 1;
            let tail = match rest {
                0 => String::new(),
                1 => "[0-9]".to_owned(),
                _ => format!("[0-9]{{{rest}}}"),
            };
            alternatives.push(format!("{prefix}{range}{tail}"));
        }
        prefix.push(char::from(b'0' + digit));
    }
    alternatives.push(prefix);
    alternatives.join("|")
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

    /// serde_json reads an `i128` from a `u64` as well; past 64 bits only on some paths.
    #[test]
    fn wide_integers_are_bounded_by_64_bits() {
        assert_eq!(
            cleaned(json!({"type": "integer", "format": "int128"})),
            json!({"type": "integer", "minimum": i64::MIN, "maximum": u64::MAX})
        );
        assert_eq!(
            cleaned(json!({"type": "integer", "format": "uint128", "minimum": 0})),
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX})
        );
    }

    #[test]
    fn integer_key_patterns_are_exact_ranges() {
        assert_eq!(
            integer_key_pattern(0, 255),
            "^(?:0|[1-9][0-9]{0,1}|1[0-9]{2}|2[0-4][0-9]|25[0-4]|255)$"
        );
        assert_eq!(
            integer_key_pattern(-128, 127),
            "^(?:0|[1-9][0-9]{0,1}|1[0-1][0-9]|12[0-6]|127|-(?:[1-9][0-9]{0,1}|1[0-1][0-9]|12[0-7]|128))$"
        );
        assert_eq!(integer_key_pattern(0, 10), "^(?:0|[1-9]|10)$");
        assert_eq!(integer_key_pattern(0, 9), "^(?:0|[1-8]|9)$");
        let map = cleaned(json!({"type": "object", "additionalProperties": false,
            "patternProperties": {"^\\d+$": {"type": "string"}}}));
        assert_eq!(
            map["patternProperties"],
            json!({integer_key_pattern(0, u32::MAX.into()): {"type": "string"}})
        );
        let map = cleaned(json!({"type": "object", "additionalProperties": false,
            "patternProperties": {"^-?\\d+$": {"type": "string"}}}));
        assert_eq!(
            map["patternProperties"],
            json!({integer_key_pattern(i32::MIN.into(), i32::MAX.into()): {"type": "string"}})
        );
    }

    /// A struct with a flattened enum: the variants describe some of the object's keys.
    #[test]
    fn flattened_variants_stay_open() {
        let variant = json!({"type": "object", "properties": {"kind": {"const": "a"}},
            "additionalProperties": false});
        assert_eq!(
            cleaned(
                json!({"type": "object", "properties": {"query": {"type": "string"}},
                "oneOf": [variant.clone()]})
            ),
            json!({"type": "object", "properties": {"query": {"type": "string"}},
                "anyOf": [{"type": "object", "properties": {"kind": {"const": "a"}}}]})
        );
        // Not flattened: a plain enum's variants are closed.
        assert_eq!(
            cleaned(json!({"anyOf": [variant.clone()]})),
            json!({"anyOf": [variant]})
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
