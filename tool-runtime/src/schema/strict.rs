//! The strict form of a schema (OpenAI structured outputs), or why there is none.
//!
//! Strict form: every object lists all its properties in `required` and has
//! `additionalProperties: false`; a property that was optional becomes nullable, and the
//! dispatcher reads `null` as "absent", so optionals and defaults keep their meaning.
//! Only the keywords in [`STRICT_KEYWORDS`] may appear (docs/providers.md, "OpenAI strict mode").

use serde_json::{Map, Value};

use super::hints::{lengths_as_pattern, move_to_description};
use super::limits::{first_excess, OPENAI_STRICT};
use super::{below, is_constrained, is_object_schema, make_nullable};

/// Keywords strict mode accepts. Constraints it lacks (`minLength`, formats it does not
/// know...) and `default` are said in the description instead ([`move_to_description`]);
/// other annotations are dropped: they constrain nothing.
pub(crate) const STRICT_KEYWORDS: &[&str] = &[
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "$ref",
    "$defs",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

/// `format` values strict mode knows; others move to the description (the dispatcher
/// still checks the value: a `url::Url` parameter still has to parse).
pub(crate) const STRICT_FORMATS: &[&str] = &[
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

pub(crate) const STRICT_ANNOTATIONS: &[&str] = &[
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "title",
];

/// Returns the strict form of a plain (cleaned) schema, or the first reason it has none,
/// with the JSON pointer of the offending subschema.
pub(crate) fn strict_form(plain: &Value) -> Result<Value, String> {
    if plain.get("type").and_then(Value::as_str) != Some("object") {
        return Err("/: the root must be an object (`type: \"object\"`)".into());
    }
    let mut schema = plain.clone();
    make_strict(&mut schema, &mut String::new())?;
    // A strict form past OpenAI's documented limits would be refused: such a schema has
    // no strict form, and a tool in auto mode is sent plain instead.
    if let Some(excess) = first_excess(&schema, &OPENAI_STRICT) {
        return Err(excess);
    }
    Ok(schema)
}

fn make_strict(schema: &mut Value, pointer: &mut String) -> Result<(), String> {
    let at = |pointer: &str| {
        if pointer.is_empty() {
            "/".to_string()
        } else {
            pointer.to_string()
        }
    };
    let object = match schema {
        Value::Object(object) => object,
        Value::Bool(_) => return Err(format!("{}: a boolean schema", at(pointer))),
        Value::Array(_) => return Err(format!("{}: not a schema (an array)", at(pointer))),
        _ => return Err(format!("{}: not a schema", at(pointer))),
    };
    for key in STRICT_ANNOTATIONS {
        object.remove(*key);
    }
    lengths_as_pattern(object);
    move_to_description(object, |key, value| match key {
        "format" => !value
            .as_str()
            .is_some_and(|format| STRICT_FORMATS.contains(&format)),
        _ => !STRICT_KEYWORDS.contains(&key),
    });
    if let Some(key) = object
        .keys()
        .find(|key| !STRICT_KEYWORDS.contains(&key.as_str()))
    {
        return Err(format!("{}: keyword `{key}` is not supported", at(pointer)));
    }
    if !is_constrained(object) {
        return Err(format!("{}: accepts any value (no type)", at(pointer)));
    }
    let is_object = is_object_schema(object);
    if is_object && object.get("additionalProperties") != Some(&Value::Bool(false)) {
        return Err(format!(
            "{}: an object with free-form keys (a map) cannot be strict",
            at(pointer)
        ));
    }
    for key in ["properties", "$defs"] {
        if let Some(Value::Object(members)) = object.get_mut(key) {
            for (name, member) in members.iter_mut() {
                descend(member, pointer, &[key, name])?;
            }
        }
    }
    if let Some(items) = object.get_mut("items") {
        descend(items, pointer, &["items"])?;
    }
    if let Some(Value::Array(members)) = object.get_mut("anyOf") {
        for (index, member) in members.iter_mut().enumerate() {
            descend(member, pointer, &["anyOf", &index.to_string()])?;
        }
    }
    // Last: the properties are judged (and their reasons point) as the plain schema has
    // them, and a nullable wrapper keeps the description their hints were added to.
    if is_object {
        require_all(object);
    }
    Ok(())
}

fn descend(schema: &mut Value, pointer: &mut String, segments: &[&str]) -> Result<(), String> {
    below(pointer, segments, |pointer| make_strict(schema, pointer))
}

/// Lists every property in `required`, making the ones that were optional nullable.
fn require_all(object: &mut Map<String, Value>) {
    let required: Vec<Value> = match object.get("required") {
        Some(Value::Array(names)) => names.clone(),
        _ => Vec::new(),
    };
    let mut all = Vec::new();
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            let name = Value::String(name.clone());
            if !required.contains(&name) {
                make_nullable(property);
            }
            all.push(name);
        }
    }
    object.insert("required".into(), Value::Array(all));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optionals_become_required_and_nullable() {
        let plain = json!({"type": "object", "properties": {
            "a": {"type": "string"},
            "b": {"type": "integer", "default": 3},
            "c": {"type": ["string", "null"]}
        }, "required": ["a"], "additionalProperties": false});
        assert_eq!(
            strict_form(&plain),
            Ok(json!({"type": "object", "properties": {
                "a": {"type": "string"},
                "b": {"type": ["integer", "null"], "description": "default: 3"},
                "c": {"type": ["string", "null"]}
            }, "required": ["a", "b", "c"], "additionalProperties": false}))
        );
    }

    #[test]
    fn unknown_formats_and_lengths_move_to_the_description() {
        let plain = json!({"type": "object", "properties": {
            "site": {"type": "string", "format": "uri", "examples": ["https://example.com"]},
            "day": {"type": "string", "format": "date"},
            "code": {"type": "string", "description": "The code.", "minLength": 4, "maxLength": 8}
        }, "required": ["site", "day", "code"], "additionalProperties": false});
        assert_eq!(
            strict_form(&plain),
            Ok(json!({"type": "object", "properties": {
                "site": {"type": "string", "description": "format: uri"},
                "day": {"type": "string", "format": "date"},
                "code": {"type": "string", "description": "The code.", "pattern": "^[\\s\\S]{4,8}$"}
            }, "required": ["site", "day", "code"], "additionalProperties": false}))
        );
        assert_eq!(
            strict_form(&json!({"anyOf": [{"type": "object"}]})),
            Err("/: the root must be an object (`type: \"object\"`)".into())
        );
    }

    #[test]
    fn reasons_name_the_place() {
        let any = json!({"type": "object", "properties": {"v": {"description": "anything"}},
            "required": ["v"], "additionalProperties": false});
        assert_eq!(
            strict_form(&any),
            Err("/properties/v: accepts any value (no type)".into())
        );
        let map = json!({"type": "object", "properties": {
            "tags": {"type": "object", "additionalProperties": {"type": "string"}}
        }, "additionalProperties": false});
        assert_eq!(
            strict_form(&map),
            Err("/properties/tags: an object with free-form keys (a map) cannot be strict".into())
        );
        let tuple = json!({"type": "object", "properties": {
            "p": {"type": "array", "prefixItems": [{"type": "integer"}]}
        }, "additionalProperties": false});
        assert_eq!(
            strict_form(&tuple),
            Err("/properties/p: keyword `prefixItems` is not supported".into())
        );
    }

    /// An optional property is made nullable after its own strict form is known, so a
    /// reason points into the plain schema (not into an `anyOf` wrapper the plain schema
    /// does not have) and says what is unsupported; and the hints a property's keywords
    /// become join its own description.
    #[test]
    fn an_optional_property_is_judged_as_written() {
        let all_of = json!({"type": "object", "properties": {
            "x": {"allOf": [{"type": "string"}]}
        }, "additionalProperties": false});
        assert_eq!(
            strict_form(&all_of),
            Err("/properties/x: keyword `allOf` is not supported".into())
        );
        let not = json!({"type": "object", "properties": {
            "x": {"type": "string", "not": {"const": "a"}}
        }, "additionalProperties": false});
        assert_eq!(
            strict_form(&not),
            Err("/properties/x: keyword `not` is not supported".into())
        );
        let items = json!({"type": "object", "properties": {
            "x": {"type": "array", "items": [{"type": "integer"}]}
        }, "required": ["x"], "additionalProperties": false});
        assert_eq!(
            strict_form(&items),
            Err("/properties/x/items: not a schema (an array)".into())
        );
        let recursive = json!({"type": "object", "properties": {
            "tree": {"$ref": "#/$defs/Tree", "description": "The tree.", "default": {"children": []}}
        }, "additionalProperties": false, "$defs": {"Tree": {"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
        }, "required": ["children"], "additionalProperties": false}}});
        assert_eq!(
            strict_form(&recursive).unwrap()["properties"]["tree"],
            json!({"anyOf": [{"$ref": "#/$defs/Tree"}, {"type": "null"}],
                   "description": "The tree. (default: {\"children\":[]})"})
        );
    }
}
