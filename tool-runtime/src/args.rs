//! From the JSON text a model sent to typed arguments, or an error the model can act on.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ToolError;

/// Parses a tool's arguments.
///
/// The well-formed case costs one `serde_json::from_str`. Only when that fails is the text
/// looked at again, to be lenient where models are sloppy and precise where they are wrong:
/// empty text or `null` means no arguments; arguments encoded twice (a JSON string holding
/// the object) are decoded; `null` for a field is read as "absent", which is what strict
/// mode's nullable optionals mean; and errors carry the path of the offending field.
pub(crate) fn parse_arguments<T: DeserializeOwned>(text: &str) -> Result<T, ToolError> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    match serde_json::from_str(text) {
        Ok(arguments) => Ok(arguments),
        Err(_) => parse_leniently(text).map_err(ToolError::InvalidArguments),
    }
}

fn parse_leniently<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut value: Value = serde_json::from_str(text)
        .map_err(|error| format!("the arguments are not valid JSON ({error})"))?;
    if let Value::String(inner) = &value {
        if let Ok(object @ Value::Object(_)) = serde_json::from_str(inner) {
            value = object;
        }
    }
    if value.is_null() {
        value = Value::Object(Default::default());
    }
    if !value.is_object() {
        return Err(format!(
            "the arguments must be a JSON object, not {}",
            kind_of(&value)
        ));
    }
    let first = match serde_path_to_error::deserialize(&value) {
        Ok(arguments) => return Ok(arguments),
        Err(error) => error,
    };
    if remove_nulls(&mut value) {
        if let Ok(arguments) = serde_path_to_error::deserialize(&value) {
            return Ok(arguments);
        }
    }
    let path = first.path().to_string();
    let problem = first.into_inner();
    Err(if path == "." {
        problem.to_string()
    } else {
        format!("{path}: {problem}")
    })
}

/// Removes `null` members of every object; says whether there were any.
fn remove_nulls(value: &mut Value) -> bool {
    match value {
        Value::Object(members) => {
            let before = members.len();
            members.retain(|_, member| !member.is_null());
            let mut removed = members.len() != before;
            for member in members.values_mut() {
                removed |= remove_nulls(member);
            }
            removed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |removed, item| remove_nulls(item) | removed),
        _ => false,
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

    fn parse(text: &str) -> Result<Args, ToolError> {
        parse_arguments(text)
    }

    #[test]
    fn nulls_mean_absent_at_any_depth() {
        assert_eq!(
            parse(r#"{"location": "Paris", "unit": null, "inner": {"count": null}}"#),
            Ok(Args {
                location: "Paris".into(),
                unit: None,
                inner: Inner { count: 0 }
            })
        );
    }

    #[test]
    fn errors_name_the_path() {
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 300}}"#),
            Err(ToolError::InvalidArguments(
                "inner.count: invalid value: integer `300`, expected u8".into()
            ))
        );
        assert_eq!(
            parse(r#"{"unit": "c"}"#),
            Err(ToolError::InvalidArguments(
                "missing field `location`".into()
            ))
        );
        assert_eq!(
            parse(r#"[1]"#),
            Err(ToolError::InvalidArguments(
                "the arguments must be a JSON object, not an array".into()
            ))
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
