//! The checks an expected call puts on one argument, as a suite file writes them, and
//! compiled once per suite (a regex or a schema is never rebuilt per run).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A check on one argument of an expected call (docs/evaluation.md, "Argument checks").
///
/// An argument the model leaves out, or sends as `null`, is *absent*: the strict schema
/// form makes a model send `null` for every optional it does not mean to set, so the two
/// are one outcome. Every check but [`AbsentOrOneOf`](Check::AbsentOrOneOf) fails on an
/// absent argument.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::eval::Check;
///
/// let check: Check = serde_json::from_value(json!({"range": {"min": 1, "max": 5}})).unwrap();
/// assert_eq!(check, Check::Range { min: Some(1.0), max: Some(5.0) });
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Check {
    /// Present and equal to this value (numbers compare by value: `1` equals `1.0`).
    Equals(Value),
    /// Absent (or `null`), or equal to one of these values; `[]` means it must be absent.
    AbsentOrOneOf(Vec<Value>),
    /// Present and equal to one of these values.
    OneOf(Vec<Value>),
    /// A number within these bounds, both inclusive; a bound left out does not bound.
    Range {
        /// The least value allowed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// The greatest value allowed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// A string in which this regular expression finds a match (anchor it with `^...$`
    /// for the whole string; `(?i)` ignores case). Rust's `regex` syntax: no look-around,
    /// and matching takes time linear in the string, whatever the model sends.
    Regex(String),
    /// A value valid against this JSON Schema. Its `pattern`s are Rust `regex` syntax too,
    /// matched in linear time (no look-around, no back-references).
    Schema(Value),
}

/// A [`Check`] ready to apply: its regex or schema compiled.
pub(super) enum Matcher {
    Equals(Value),
    AbsentOrOneOf(Vec<Value>),
    OneOf(Vec<Value>),
    Range(Option<f64>, Option<f64>),
    Regex(regex::Regex),
    Schema(Box<jsonschema::Validator>),
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Matcher::Equals(_) => "Equals",
            Matcher::AbsentOrOneOf(_) => "AbsentOrOneOf",
            Matcher::OneOf(_) => "OneOf",
            Matcher::Range(..) => "Range",
            Matcher::Regex(_) => "Regex",
            Matcher::Schema(_) => "Schema",
        })
    }
}

/// The most a regex may compile to: a suite is a file someone wrote, but a typo such as
/// `a{1000}{1000}` should be refused at load, not take the memory of a machine.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Check {
    /// The check compiled; why not, when its regex or schema is not one.
    pub(super) fn compile(&self) -> Result<Matcher, String> {
        Ok(match self {
            // `null` is absent, which these checks fail: they could never pass.
            Check::Equals(Value::Null) => {
                return Err(
                    "equals: null means absent; check absence with `absent_or_one_of: []`".into(),
                )
            }
            Check::OneOf(values) if values.iter().any(Value::is_null) => {
                return Err(
                    "one_of: null means absent; allow absence with `absent_or_one_of`".into(),
                )
            }
            Check::Equals(value) => Matcher::Equals(value.clone()),
            Check::AbsentOrOneOf(values) => Matcher::AbsentOrOneOf(values.clone()),
            Check::OneOf(values) => Matcher::OneOf(values.clone()),
            Check::Range { min, max } => {
                if let (Some(min), Some(max)) = (min, max) {
                    if min > max {
                        return Err(format!("range: min {min} is above max {max}"));
                    }
                }
                Matcher::Range(*min, *max)
            }
            Check::Regex(pattern) => Matcher::Regex(
                regex::RegexBuilder::new(pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|error| format!("regex {pattern:?}: {error}"))?,
            ),
            Check::Schema(schema) => Matcher::Schema(Box::new(
                validator(schema).map_err(|error| format!("schema: {error}"))?,
            )),
        })
    }
}

/// A JSON Schema validator whose `pattern`s match in time linear in the text, as a
/// [`Check::Regex`] does: the validated values are a model's text. jsonschema's default
/// engine backtracks for patterns with look-around or back-references; with the linear
/// one, such a pattern does not compile (a suite's schema is refused at load).
pub(super) fn validator(
    schema: &Value,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_pattern_options(jsonschema::PatternOptions::regex().size_limit(REGEX_SIZE_LIMIT))
        .build(schema)
}

impl Matcher {
    /// Why `value` (`None`: absent) fails the check, or `None` when it passes.
    pub(super) fn failure(&self, value: Option<&Value>) -> Option<String> {
        let value = value.filter(|value| !value.is_null());
        let Some(value) = value else {
            return match self {
                Matcher::AbsentOrOneOf(_) => None,
                _ => Some("missing".to_owned()),
            };
        };
        let shown = clipped(value);
        match self {
            Matcher::Equals(expected) => {
                (!same(expected, value)).then(|| format!("expected {expected}, got {shown}"))
            }
            Matcher::AbsentOrOneOf(allowed) => {
                (!allowed.iter().any(|one| same(one, value))).then(|| {
                    format!(
                        "expected absent or one of {}, got {shown}",
                        Value::Array(allowed.clone())
                    )
                })
            }
            Matcher::OneOf(allowed) => (!allowed.iter().any(|one| same(one, value))).then(|| {
                format!(
                    "expected one of {}, got {shown}",
                    Value::Array(allowed.clone())
                )
            }),
            Matcher::Range(min, max) => match value.as_f64() {
                None => Some(format!("expected a number, got {shown}")),
                Some(number) => {
                    let low = min.is_some_and(|min| number < min);
                    let high = max.is_some_and(|max| number > max);
                    (low || high).then(|| {
                        let bound = |b: Option<f64>| b.map_or("-".to_owned(), |b| b.to_string());
                        format!(
                            "expected a number in [{}, {}], got {shown}",
                            bound(*min),
                            bound(*max)
                        )
                    })
                }
            },
            Matcher::Regex(regex) => match value.as_str() {
                None => Some(format!("expected a string, got {shown}")),
                Some(text) => (!regex.is_match(text))
                    .then(|| format!("{shown} does not match /{}/", regex.as_str())),
            },
            Matcher::Schema(validator) => validator
                .iter_errors(value)
                .next()
                .map(|error| format!("{shown} is not valid: {error}")),
        }
    }
}

/// JSON equality where numbers compare by value (`1 == 1.0`): a model writes `2.0` for
/// an integer as often as `2`. Whole numbers compare exactly (an `f64` holds integers
/// exactly only up to 2^53: an id near `u64::MAX` is not its neighbour).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (whole(x), whole(y)) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

/// A whole number, exactly: an integer, or a float with no fraction (`2.0`) within `i128`.
fn whole(number: &serde_json::Number) -> Option<i128> {
    if let Some(integer) = number.as_i64() {
        return Some(i128::from(integer));
    }
    if let Some(integer) = number.as_u64() {
        return Some(i128::from(integer));
    }
    // Below 2^127 in size, a float with no fraction converts to `i128` exactly.
    number
        .as_f64()
        .filter(|float| float.fract() == 0.0 && float.abs() < 1.0e38)
        .map(|float| float as i128)
}

/// The most of a model's value a failure message repeats.
const SHOWN: usize = 200;

/// A value as JSON, clipped for a report line: a model may send megabytes.
fn clipped(value: &Value) -> String {
    clip(&value.to_string(), SHOWN)
}

/// `text` cut to at most `max` bytes at a character boundary, `...` marking a cut.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_compare_by_value_and_clipping_keeps_characters_whole() {
        assert!(same(&json!(2), &json!(2.0)));
        assert!(same(&json!({"a": [1]}), &json!({"a": [1.0]})));
        assert!(!same(&json!("2"), &json!(2)));
        // Whole numbers exactly, past what an f64 holds: u64::MAX is not u64::MAX - 1.
        assert!(!same(&json!(u64::MAX), &json!(u64::MAX - 1)));
        assert!(same(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!same(&json!(i64::MIN), &json!(u64::MAX)));
        assert!(same(&json!(-3), &json!(-3.0)) && !same(&json!(3), &json!(3.5)));
        assert_eq!(clip("ééé", 3), "é...");
    }
}
