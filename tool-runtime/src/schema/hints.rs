//! Constraints a provider cannot enforce, moved into the description a model reads.
//!
//! Dropping `minLength: 3` from a strict schema silently tells the model that any text
//! will do; saying "at least 3 characters" keeps the rule where the model looks. The
//! dispatcher never relied on those keywords (serde does not read them), so nothing
//! that was accepted before is refused now, and nothing refused is accepted.

use serde_json::{Map, Value};

/// The keywords that constrain a value without changing its type; [`move_to_description`]
/// knows how to say each in words, and the drift report lists their changes.
pub(crate) const SAYABLE: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "default",
];

/// Removes each keyword of `object` for which `unsupported` is true and that can be said
/// in words, and appends what it said to the description: `"The name (at least 1
/// character, at most 20 characters)"`.
pub(crate) fn move_to_description(
    object: &mut Map<String, Value>,
    unsupported: impl Fn(&str, &Value) -> bool,
) {
    let keys: Vec<&str> = SAYABLE
        .iter()
        .copied()
        .filter(|key| {
            object
                .get(*key)
                .is_some_and(|value| unsupported(key, value))
        })
        .collect();
    let moved: Vec<(String, Value)> = keys
        .into_iter()
        .filter_map(|key| object.remove_entry(key))
        .collect();
    let hints = describe(&moved);
    if hints.is_empty() {
        return;
    }
    let text = match object.get("description").and_then(Value::as_str) {
        Some(description) if !description.trim().is_empty() => {
            format!("{} ({hints})", description.trim_end())
        }
        _ => hints,
    };
    object.insert("description".into(), text.into());
}

/// The largest repetition count RE2 and Go's `regexp` accept (`{0,1000}`); larger ones
/// are refused by them and, past a few thousand, by the `regex` crate's size limit.
const MAX_REPEAT: u64 = 1000;

/// States a string's length bounds as a `pattern` (`^[\s\S]{1,20}$`), which strict
/// modes enforce and their `minLength`/`maxLength` they lack; a `char` parameter keeps
/// its "exactly one character" in the grammar the model is held to. A string with a
/// pattern of its own keeps its bounds, for [`move_to_description`] to say, and so do
/// bounds no regex engine would take as a repetition (above [`MAX_REPEAT`], or a
/// minimum above the maximum).
pub(crate) fn lengths_as_pattern(object: &mut Map<String, Value>) {
    let (min, max) = (object.get("minLength"), object.get("maxLength"));
    if object.contains_key("pattern") || (min.is_none() && max.is_none()) {
        return;
    }
    let (Some(min), Some(max)) = (
        min.map_or(Some(0), Value::as_u64),
        max.map_or(Some(None), |max| max.as_u64().map(Some)),
    ) else {
        return;
    };
    if min > MAX_REPEAT || max.is_some_and(|max| max > MAX_REPEAT || max < min) {
        return;
    }
    let repeat = match max {
        Some(max) if max == min => format!("{{{min}}}"),
        Some(max) => format!("{{{min},{max}}}"),
        None => format!("{{{min},}}"),
    };
    object.remove("minLength");
    object.remove("maxLength");
    object.insert("pattern".into(), format!("^[\\s\\S]{repeat}$").into());
}

fn describe(moved: &[(String, Value)]) -> String {
    let get = |key: &str| moved.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let mut hints: Vec<String> = Vec::new();
    bounds(
        &mut hints,
        get("minLength"),
        get("maxLength"),
        ("character", "characters"),
    );
    bounds(&mut hints, get("minimum"), get("maximum"), ("", ""));
    bounds(
        &mut hints,
        get("minItems"),
        get("maxItems"),
        ("item", "items"),
    );
    bounds(
        &mut hints,
        get("minProperties"),
        get("maxProperties"),
        ("entry", "entries"),
    );
    if let Some(low) = get("exclusiveMinimum") {
        hints.push(format!("greater than {low}"));
    }
    if let Some(high) = get("exclusiveMaximum") {
        hints.push(format!("less than {high}"));
    }
    if let Some(step) = get("multipleOf") {
        hints.push(format!("a multiple of {step}"));
    }
    if get("uniqueItems") == Some(&Value::Bool(true)) {
        hints.push("no duplicates".into());
    }
    if let Some(Value::String(pattern)) = get("pattern") {
        hints.push(format!("matching the pattern `{pattern}`"));
    }
    if let Some(Value::String(format)) = get("format") {
        hints.push(format!("format: {format}"));
    }
    if let Some(default) = get("default") {
        hints.push(format!("default: {default}"));
    }
    hints.join(", ")
}

/// "at least 1 character, at most 20 characters", or "exactly 1 character".
fn bounds(
    hints: &mut Vec<String>,
    low: Option<&Value>,
    high: Option<&Value>,
    (one, many): (&str, &str),
) {
    let unit = |n: &Value| match (n.as_u64(), one.is_empty()) {
        (_, true) => String::new(),
        (Some(1), false) => format!(" {one}"),
        _ => format!(" {many}"),
    };
    match (low, high) {
        (Some(low), Some(high)) if low == high => {
            hints.push(format!("exactly {low}{}", unit(low)));
        }
        (low, high) => {
            if let Some(low) = low {
                hints.push(format!("at least {low}{}", unit(low)));
            }
            if let Some(high) = high {
                hints.push(format!("at most {high}{}", unit(high)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn moved(mut schema: Value) -> Value {
        move_to_description(schema.as_object_mut().unwrap(), |_, _| true);
        schema
    }

    #[test]
    fn bounds_read_as_words() {
        assert_eq!(
            moved(
                json!({"type": "string", "description": "The name.", "minLength": 1, "maxLength": 20})
            ),
            json!({"type": "string", "description": "The name. (at least 1 character, at most 20 characters)"})
        );
        assert_eq!(
            moved(json!({"type": "string", "minLength": 1, "maxLength": 1})),
            json!({"type": "string", "description": "exactly 1 character"})
        );
        assert_eq!(
            moved(
                json!({"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5, "default": 1.5})
            ),
            json!({"type": "number", "description": "greater than 0, a multiple of 0.5, default: 1.5"})
        );
        assert_eq!(
            moved(json!({"type": "array", "items": {}, "minItems": 2, "uniqueItems": true})),
            json!({"type": "array", "items": {}, "description": "at least 2 items, no duplicates"})
        );
        assert_eq!(
            moved(json!({"type": "string", "format": "uri", "pattern": "^h"})),
            json!({"type": "string", "description": "matching the pattern `^h`, format: uri"})
        );
    }

    #[test]
    fn lengths_become_a_pattern_unless_there_is_one() {
        let mut one = json!({"type": "string", "minLength": 1, "maxLength": 1});
        lengths_as_pattern(one.as_object_mut().unwrap());
        assert_eq!(one, json!({"type": "string", "pattern": "^[\\s\\S]{1}$"}));
        let mut open = json!({"type": "string", "minLength": 3});
        lengths_as_pattern(open.as_object_mut().unwrap());
        assert_eq!(open, json!({"type": "string", "pattern": "^[\\s\\S]{3,}$"}));
        let mut own = json!({"type": "string", "maxLength": 8, "pattern": "^a"});
        lengths_as_pattern(own.as_object_mut().unwrap());
        assert_eq!(
            own,
            json!({"type": "string", "maxLength": 8, "pattern": "^a"})
        );
    }

    /// RE2 (and Go's regexp) refuse a repetition count above 1000, the `regex` crate's
    /// size limit refuses `{0,100000}`, and `{5,2}` is no regex at all: such bounds stay
    /// keywords, for the description.
    #[test]
    fn lengths_no_regex_engine_takes_stay_keywords() {
        for bounds in [
            json!({"maxLength": 5000}),
            json!({"minLength": 1001}),
            json!({"minLength": 1, "maxLength": 100000}),
            json!({"minLength": 5, "maxLength": 2}),
        ] {
            let mut schema = bounds.clone();
            schema["type"] = json!("string");
            let before = schema.clone();
            lengths_as_pattern(schema.as_object_mut().unwrap());
            assert_eq!(schema, before, "{bounds}");
        }
        let mut largest = json!({"type": "string", "minLength": 1000, "maxLength": 1000});
        lengths_as_pattern(largest.as_object_mut().unwrap());
        assert_eq!(
            largest,
            json!({"type": "string", "pattern": "^[\\s\\S]{1000}$"})
        );
    }

    #[test]
    fn only_what_is_unsupported_moves() {
        let mut schema =
            json!({"type": "integer", "description": "Rows", "minimum": 1, "maximum": 9});
        move_to_description(schema.as_object_mut().unwrap(), |key, _| key == "maximum");
        assert_eq!(
            schema,
            json!({"type": "integer", "description": "Rows (at most 9)", "minimum": 1})
        );
        let mut untouched = json!({"type": "integer", "description": "Rows"});
        move_to_description(untouched.as_object_mut().unwrap(), |_, _| true);
        assert_eq!(untouched, json!({"type": "integer", "description": "Rows"}));
    }
}
