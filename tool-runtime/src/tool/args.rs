//! From the JSON text a model sent to typed arguments, or an error the model can act on.

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::definition::ToolDefinition;
use crate::tool::ToolError;

/// Where the parameter schema of the tool being called comes from: asked for only when the
/// arguments are not already right.
#[derive(Clone, Copy)]
pub(crate) enum Parameters<'a> {
    /// The definition of a `#[tool]` (a static, built on first use).
    Of(fn() -> &'static ToolDefinition),
    /// A schema at hand.
    #[cfg_attr(not(test), allow(dead_code))]
    Given(&'a Value),
}

impl<'a> Parameters<'a> {
    fn get(self) -> &'a Value {
        match self {
            Parameters::Of(definition) => definition().parameters(),
            Parameters::Given(schema) => schema,
        }
    }
}

/// Parses a tool's arguments; `parameters` gives the tool's plain parameter schema, and is
/// only asked for when the text is not already right.
///
/// The well-formed case costs one `serde_json::from_str`. Otherwise the text is looked at
/// again, to be lenient where models are sloppy and precise where they are wrong: empty
/// text or `null` means no arguments; arguments encoded twice (a JSON string holding the
/// object) are decoded; and, where the schema says so, `null` for an optional property
/// means "absent" (what strict mode's nullable optionals mean) and `2.0` for an integer
/// means `2` (JSON Schema counts it as an integer). Errors carry the path of the field.
///
/// Why it is written this way: this function is instantiated once per tool, and `T`'s
/// `Deserialize` once per deserializer it is given. Both attempts therefore read text with
/// the same deserializer (the repaired arguments are written back to text, by [`repair`],
/// which is not generic), so a tool costs the compiler one `Deserialize` instantiation, as
/// hand-written `serde_json::from_str` does; and the path of a field in an error is found
/// from where in that text serde_json stopped ([`Repaired::explain`]), not by a wrapping
/// deserializer that would be a second instantiation and cost on every call.
#[inline]
pub(crate) fn parse_arguments<T: DeserializeOwned>(
    text: &str,
    parameters: Parameters<'_>,
) -> Result<T, ToolError> {
    // Only an object may take the fast path: serde would also read a struct from an array.
    if starts_an_object(text) {
        if let Ok(arguments) = serde_json::from_str(text) {
            return Ok(arguments);
        }
    }
    let mut repaired = match repair(text, parameters) {
        Ok(repaired) => repaired,
        Err(problem) => return Err(ToolError::InvalidArguments(problem)),
    };
    // What to read next and what an error means is decided by `Repaired`, which is not
    // generic: this loop is all of the slow path that is compiled per tool.
    loop {
        let error = match serde_json::from_str(repaired.attempt()) {
            Ok(arguments) if !repaired.probing() => return Ok(arguments),
            Ok(_) => None,
            Err(error) => Some(error),
        };
        if let Some(problem) = repaired.failed(error) {
            return Err(ToolError::InvalidArguments(problem));
        }
    }
}

/// How many numbers past the range of an `f32` are saturated in one call's arguments.
const MAX_SATURATED: usize = 16;

#[inline]
fn starts_an_object(text: &str) -> bool {
    // The usual text starts with the brace: no scan.
    match text.as_bytes().first() {
        Some(b'{') => true,
        Some(byte) if byte.is_ascii_whitespace() => {
            text.bytes().find(|byte| !byte.is_ascii_whitespace()) == Some(b'{')
        }
        _ => false,
    }
}

/// The arguments rewritten as compact JSON text, with where each value is in it.
#[derive(Debug)]
pub(crate) struct Repaired {
    /// The arguments, repaired.
    value: Value,
    pub(crate) text: String,
    /// Every value, in the order written (a value before the values inside it).
    spans: Vec<Span>,
    /// Numbers saturated so far (see [`Repaired::saturate`]).
    saturated: usize,
    /// The reading under way of the text with a member written twice (see
    /// [`Repaired::failed`]), and the error it is to explain.
    probe: Option<Probe>,
}

#[derive(Debug)]
struct Probe {
    text: String,
    member: usize,
    error: serde_json::Error,
}

/// A value in [`Repaired::text`]: the bytes `start..end`; for an object's member or an
/// array's item, they include the separator before it and the member's key, so that a
/// position serde_json reports anywhere in them is the member's.
#[derive(Debug)]
struct Span {
    start: usize,
    end: usize,
    /// The span of the value holding this one (`usize::MAX` for the root).
    parent: usize,
    segment: Segment,
}

#[derive(Debug)]
enum Segment {
    Root,
    Key(String),
    Index(usize),
}

/// The lenient reading of arguments that did not parse as they were: see
/// [`parse_arguments`]. Not generic: compiled once, whatever the tool.
#[cold]
#[inline(never)]
pub(crate) fn repair(text: &str, parameters: Parameters<'_>) -> Result<Repaired, String> {
    let mut value = decode(text)?;
    let schema = parameters.get();
    normalize(&mut value, schema, schema, 0);
    let text = if text.trim().is_empty() { "{}" } else { text };
    let mut repaired = Repaired {
        value,
        text: String::with_capacity(text.len()),
        spans: Vec::new(),
        saturated: 0,
        probe: None,
    };
    repaired.rewrite();
    Ok(repaired)
}

impl Repaired {
    /// Writes the text and spans of `value` anew.
    fn rewrite(&mut self) {
        let value = std::mem::take(&mut self.value);
        self.text.clear();
        self.spans.clear();
        self.write(&value, usize::MAX, Segment::Root, 0);
        self.value = value;
    }

    /// When `error` is serde_json refusing a number as an `f32` (it would be infinite; the
    /// schema, which cannot tell `f32` from `f64`, allows it): saturates that number to
    /// the largest `f32` of its sign, as numbers from the network are, and says so.
    fn saturate(&mut self, error: &serde_json::Error) -> bool {
        if problem(error) != "number out of range" {
            return false;
        }
        let Some(at) = self.innermost(error) else {
            return false;
        };
        let mut path = Vec::new();
        let mut node = at;
        while let Some(span) = self.spans.get(node) {
            path.push(&span.segment);
            node = span.parent;
        }
        let mut value = &mut self.value;
        for segment in path.iter().rev() {
            let next = match segment {
                Segment::Root => Some(value),
                Segment::Key(key) => value.get_mut(key.as_str()),
                Segment::Index(index) => value.get_mut(*index),
            };
            let Some(next) = next else { return false };
            value = next;
        }
        let limit = f64::from(f32::MAX);
        let Some(number) = value.as_f64().filter(|number| number.abs() > limit) else {
            return false;
        };
        let Some(saturated) = Number::from_f64(limit.copysign(number)) else {
            return false;
        };
        *value = Value::Number(saturated);
        self.rewrite();
        true
    }

    /// Writes `value` as compact JSON, recording its span and those of the values in it.
    fn write(&mut self, value: &Value, parent: usize, segment: Segment, start: usize) {
        let index = self.spans.len();
        self.spans.push(Span {
            start,
            end: start,
            parent,
            segment,
        });
        match value {
            Value::Object(members) => {
                self.text.push('{');
                for (position, (key, member)) in members.iter().enumerate() {
                    let start = self.text.len();
                    if position > 0 {
                        self.text.push(',');
                    }
                    self.push_json(&Value::from(key.as_str()));
                    self.text.push(':');
                    self.write(member, index, Segment::Key(key.clone()), start);
                }
                self.text.push('}');
            }
            Value::Array(items) => {
                self.text.push('[');
                for (position, item) in items.iter().enumerate() {
                    let start = self.text.len();
                    if position > 0 {
                        self.text.push(',');
                    }
                    self.write(item, index, Segment::Index(position), start);
                }
                self.text.push(']');
            }
            scalar => self.push_json(scalar),
        }
        self.spans[index].end = self.text.len();
    }

    fn push_json(&mut self, scalar: &Value) {
        // A scalar's `Display` is its compact JSON text.
        use std::fmt::Write;
        let _ = write!(self.text, "{scalar}");
    }

    /// The text to read next.
    pub(crate) fn attempt(&self) -> &str {
        self.probe.as_ref().map_or(&self.text, |probe| &probe.text)
    }

    /// Whether the text to read is a probe, whose reading only explains an error.
    pub(crate) fn probing(&self) -> bool {
        self.probe.is_some()
    }

    /// After serde_json read [`attempt`](Self::attempt) with `error` (`None`: a probe that
    /// read): the message the model reads, or `None` when there is another text to read.
    ///
    /// The message has the path of the value the error is about (`inner.count`,
    /// `items[2]`, as `serde_path_to_error` writes paths) instead of a line and column in
    /// text the model never saw. serde_json places an error after the last byte it read:
    /// the end of the offending value, the key of an unknown field, or the closing brace of
    /// an object missing a field. The innermost span holding that byte is the value.
    ///
    /// One case is ambiguous: an error a value's own `Deserialize` raises after reading it
    /// (a range check, `try_from`) is placed where the object holding it is next read,
    /// which for its last member is the object's closing brace, the place of the object's
    /// own errors too. Then the text is read again with that member written twice: an
    /// error of the member's comes at the end of its first copy.
    pub(crate) fn failed(&mut self, error: Option<serde_json::Error>) -> Option<String> {
        if let Some(probe) = self.probe.take() {
            let error = match error {
                Some(again) if self.within(probe.member, &again) => again,
                _ => probe.error,
            };
            return Some(self.path_message(self.innermost(&error), &problem(&error)));
        }
        let error = error?;
        if self.saturated < MAX_SATURATED && self.saturate(&error) {
            self.saturated += 1;
            return None;
        }
        let at = self.innermost(&error);
        if let Some(member) = self.last_member_at_close(at, &error) {
            let text = self.with_member_twice(member);
            self.probe = Some(Probe {
                text,
                member,
                error,
            });
            return None;
        }
        Some(self.path_message(at, &problem(&error)))
    }

    /// The index of the innermost span holding the last byte serde_json read, if any.
    fn innermost(&self, error: &serde_json::Error) -> Option<usize> {
        let last = last_read(error)?;
        // Inner values come after the values holding them: the last match is innermost.
        (self.spans.iter()).rposition(|span| span.start <= last && last < span.end)
    }

    /// Whether `error` is placed inside the span `member`.
    fn within(&self, member: usize, error: &serde_json::Error) -> bool {
        let span = &self.spans[member];
        last_read(error).is_some_and(|last| span.start <= last && last < span.end)
    }

    /// When `error` is placed at the closing brace of an object with members: its last.
    fn last_member_at_close(&self, at: Option<usize>, error: &serde_json::Error) -> Option<usize> {
        let object = at?;
        let span = &self.spans[object];
        if last_read(error)? + 1 != span.end || !self.text[..span.end].ends_with('}') {
            return None;
        }
        (self.spans.iter().enumerate().skip(object + 1))
            .take_while(|(_, inner)| inner.end <= span.end)
            .filter(|(_, inner)| inner.parent == object)
            .map(|(index, _)| index)
            .last()
    }

    /// The text with `member` (key and value) written again after itself.
    fn with_member_twice(&self, member: usize) -> String {
        let span = &self.spans[member];
        let written = self.text[span.start..span.end].trim_start_matches(',');
        let mut probe = String::with_capacity(self.text.len() + written.len() + 1);
        probe.push_str(&self.text[..span.end]);
        probe.push(',');
        probe.push_str(written);
        probe.push_str(&self.text[span.end..]);
        probe
    }

    /// `problem`, after the path of the span `at` when it is not the root.
    fn path_message(&self, at: Option<usize>, problem: &str) -> String {
        let mut at = at.unwrap_or(usize::MAX);
        let mut segments = Vec::new();
        while let Some(span) = self.spans.get(at) {
            segments.push(&span.segment);
            at = span.parent;
        }
        let mut path = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Segment::Index(index) => path.push_str(&format!("[{index}]")),
            }
        }
        if path.is_empty() {
            problem.to_owned()
        } else {
            format!("{path}: {problem}")
        }
    }
}

/// The byte serde_json read last when it failed, in one-line text; `None` before any.
fn last_read(error: &serde_json::Error) -> Option<usize> {
    (error.line() == 1)
        .then(|| error.column().checked_sub(1))
        .flatten()
}

/// serde_json's message without the line and column it adds.
fn problem(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(problem) if error.line() != 0 => problem.to_owned(),
        _ => message,
    }
}

/// The arguments as a JSON object, read as leniently as [`parse_arguments`] reads them
/// (empty text, `null` for an optional property, `2.0` for an integer), for tools that take
/// JSON and check it against their schema themselves: run-time tools.
#[cfg(feature = "runtime-tools")]
pub(crate) fn parse_value(text: &str, schema: &Value) -> Result<Value, ToolError> {
    repair(text, Parameters::Given(schema))
        .map(|repaired| repaired.value)
        .map_err(ToolError::InvalidArguments)
}

/// The arguments text as the JSON object it stands for, read as leniently as
/// [`parse_arguments`] reads it before looking at the schema: empty text or `null` is `{}`,
/// a JSON string holding an object is that object. Also what `eval` counts as "parses".
pub(crate) fn decode(text: &str) -> Result<Value, String> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    let mut value: Value = serde_json::from_str(text)
        .map_err(|error| format!("the arguments are not valid JSON ({error})"))?;
    if let Value::String(inner) = &value {
        if let Ok(object @ Value::Object(_)) = serde_json::from_str(inner) {
            value = object;
        }
    }
    if value.is_null() {
        value = Value::Object(Map::new());
    }
    if !value.is_object() {
        return Err(format!(
            "the arguments must be a JSON object, not {}",
            kind_of(&value)
        ));
    }
    Ok(value)
}

/// `arguments` (decoded by [`decode`]) rewritten as [`parse_arguments`] rewrites them
/// against the tool's plain parameter `schema` before reading them: what `eval` checks
/// against that schema to judge whether the tool would accept a call.
#[cfg(feature = "eval")]
pub(crate) fn normalize_arguments(arguments: &mut Value, schema: &Value) {
    normalize(arguments, schema, schema, 0);
}

/// serde_json's own nesting limit: nothing deeper parses anyway.
const MAX_DEPTH: usize = 128;

/// Rewrites `value` where `schema` says what it means: removes `null` members that are
/// optional properties, and writes integral floats as integers where only an integer fits.
/// Nothing the schema does not describe is touched (a `serde_json::Value` payload keeps its
/// nulls; an unknown property stays, to be refused).
fn normalize(value: &mut Value, schema: &Value, root: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let branches = branches(schema, root);
    match value {
        Value::Object(members) => {
            let Some(picked) = pick_branch(members, &branches) else {
                return;
            };
            // A flattened enum's variants sit in an `anyOf` beside the struct's own
            // properties: the struct's properties and one variant's describe this object.
            let (branch, own) = match picked.get("anyOf").and_then(Value::as_array) {
                Some(variants) => {
                    let variants: Vec<&Value> = variants.iter().map(|v| resolve(v, root)).collect();
                    (
                        pick_branch(members, &variants).unwrap_or(picked),
                        Some(picked),
                    )
                }
                None => (picked, None),
            };
            // Two flattened enums: `allOf: [{"anyOf": variants}, ...]`, one variant of each.
            let mut parts: Vec<&Value> = [Some(branch), own].into_iter().flatten().collect();
            for part in picked
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(variant) = pick_branch(members, &self::branches(part, root)) {
                    parts.push(variant);
                }
            }
            let property = |key: &str| {
                parts
                    .iter()
                    .find_map(|schema| schema.get("properties").and_then(|p| p.get(key)))
            };
            let required = |key: &str| {
                parts.iter().any(|schema| {
                    schema
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|names| names.iter().any(|name| name == key))
                })
            };
            members.retain(|key, member| {
                let optional = property(key).is_some() && !required(key);
                !(member.is_null() && optional)
            });
            // A map's values: `additionalProperties`, or the one schema of its key patterns
            // (an integer-keyed map's; with no regex engine here, the key is not matched:
            // serde refuses a key the pattern does not allow anyway).
            let patterns = branch
                .get("patternProperties")
                .and_then(Value::as_object)
                .and_then(|patterns| {
                    let mut schemas = patterns.values();
                    let first = schemas.next()?;
                    schemas.all(|other| other == first).then_some(first)
                });
            let extra = branch
                .get("additionalProperties")
                .filter(|schema| schema.is_object())
                .or(patterns);
            for (key, member) in members.iter_mut() {
                if let Some(schema) = property(key).or(extra) {
                    normalize(member, schema, root, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            let prefix = branches
                .iter()
                .find_map(|branch| branch.get("prefixItems").and_then(Value::as_array));
            let rest = branches.iter().find_map(|branch| branch.get("items"));
            for (index, item) in items.iter_mut().enumerate() {
                if let Some(schema) = prefix.and_then(|p| p.get(index)).or(rest) {
                    normalize(item, schema, root, depth + 1);
                }
            }
        }
        Value::Number(number) => {
            let accepts = |wanted: &str| {
                branches.iter().any(|branch| match branch.get("type") {
                    Some(Value::String(t)) => t == wanted,
                    Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
                    _ => false,
                })
            };
            if accepts("integer") && !accepts("number") {
                if let Some(integer) = integral(number) {
                    *number = integer;
                }
            }
        }
        _ => {}
    }
}

/// The alternative of an object's schema that `members` are meant for: the one whose
/// discriminating constants (an enum's tag: `"kind": {"const": "Square"}`) the members have,
/// then the one with the fewest keys it does not know (externally tagged and untagged
/// variants differ in their keys). A branch whose constant a member contradicts comes
/// last. On a tie, the first in the schema's order: the variant serde tries first.
fn pick_branch<'a>(members: &Map<String, Value>, branches: &[&'a Value]) -> Option<&'a Value> {
    let mut best: Option<(&Value, Fit)> = None;
    for &branch in branches {
        let properties = branch.get("properties").and_then(Value::as_object);
        let open = ["additionalProperties", "patternProperties"];
        if properties.is_none() && !open.iter().any(|key| branch.get(*key).is_some()) {
            continue;
        }
        let mut contradicted = false;
        let mut matched = 0;
        for (key, property) in properties.into_iter().flatten() {
            let (Some(constant), Some(member)) = (constant_of(property), members.get(key)) else {
                continue;
            };
            if member == constant {
                matched += 1;
            } else {
                contradicted = true;
            }
        }
        let unknown = members
            .keys()
            .filter(|key| !properties.is_some_and(|p| p.contains_key(*key)))
            .count();
        let score: Fit = (!contradicted, matched, std::cmp::Reverse(unknown));
        // Strictly better only: on a tie, the earlier branch stays.
        if best.as_ref().is_none_or(|(_, best)| score > *best) {
            best = Some((branch, score));
        }
    }
    best.map(|(branch, _)| branch)
}

/// How well an object fits a branch, best last: no contradicted constant, constants
/// matched, fewest unknown keys.
type Fit = (bool, usize, std::cmp::Reverse<usize>);

/// The one value a schema allows, if it says so (`const`, or an `enum` of one).
fn constant_of(schema: &Value) -> Option<&Value> {
    schema.get("const").or_else(|| match schema.get("enum") {
        Some(Value::Array(values)) if values.len() == 1 => values.first(),
        _ => None,
    })
}

/// The alternatives a schema offers: its `anyOf` members (nested ones flattened), or itself;
/// `$ref`s to the root's `$defs` followed. An `anyOf` beside `properties` (a flattened
/// enum) is not a choice of alternatives for the object: the schema is one alternative.
fn branches<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut pending = vec![schema];
    while let Some(schema) = pending.pop() {
        if out.len() + pending.len() > 64 {
            break;
        }
        let schema = resolve(schema, root);
        match schema.get("anyOf").and_then(Value::as_array) {
            // A struct with a flattened enum is one alternative, variants and all.
            Some(members) if schema.get("properties").is_none() => {
                pending.extend(members.iter().rev());
            }
            _ => out.push(schema),
        }
    }
    out
}

fn resolve<'a>(mut schema: &'a Value, root: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        else {
            break;
        };
        match root.get("$defs").and_then(|defs| defs.get(name)) {
            Some(definition) => schema = definition,
            None => break,
        }
    }
    schema
}

fn integral(number: &Number) -> Option<Number> {
    let float = number.as_f64().filter(|_| number.is_f64())?;
    if float.fract() != 0.0 {
        return None;
    }
    if float >= 0.0 && float < u64::MAX as f64 {
        Some(Number::from(float as u64))
    } else if float < 0.0 && float >= i64::MIN as f64 {
        Some(Number::from(float as i64))
    } else {
        None
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
    use serde_json::json;

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

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "location": {"type": "string"},
            "unit": {"type": ["string", "null"]},
            "inner": {"type": "object", "properties": {"count": {"type": "integer"}}}
        }, "required": ["location"]})
    }

    fn parse(text: &str) -> Result<Args, ToolError> {
        let schema = schema();
        parse_arguments(text, Parameters::Given(&schema))
    }

    fn invalid(message: &str) -> Result<Args, ToolError> {
        Err(ToolError::InvalidArguments(message.into()))
    }

    #[test]
    fn nulls_of_optional_properties_mean_absent_at_any_depth() {
        assert_eq!(
            parse(r#"{"location": "Paris", "unit": null, "inner": {"count": null}}"#),
            Ok(Args {
                location: "Paris".into(),
                unit: None,
                inner: Inner { count: 0 }
            })
        );
        assert_eq!(
            parse(r#"{"location": null}"#),
            invalid("location: invalid type: null, expected a string")
        );
        assert_eq!(
            parse(r#"{"location": "Paris", "units": null}"#),
            invalid("units: unknown field `units`, expected one of `location`, `unit`, `inner`")
        );
    }

    #[test]
    fn integral_floats_are_integers_where_an_integer_is_wanted() {
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 3.0}}"#),
            Ok(Args {
                location: "Paris".into(),
                unit: None,
                inner: Inner { count: 3 }
            })
        );
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 3.5}}"#),
            invalid("inner.count: invalid type: floating point `3.5`, expected u8")
        );
    }

    #[test]
    fn errors_name_the_path() {
        assert_eq!(
            parse(r#"{"location": "Paris", "inner": {"count": 300}}"#),
            invalid("inner.count: invalid value: integer `300`, expected u8")
        );
        assert_eq!(
            parse(r#"{"unit": "c"}"#),
            invalid("missing field `location`")
        );
        assert_eq!(
            parse(r#"["Paris", null]"#),
            invalid("the arguments must be a JSON object, not an array")
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "t", content = "c")]
    enum Msg {
        Text(String),
        Num(i64),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Send {
        msg: Msg,
    }

    /// Both variants know the keys `t` and `c`: the tag's `const` decides.
    #[test]
    fn the_tag_picks_the_branch_before_the_keys() {
        let schema = json!({"type": "object", "properties": {"msg": {"anyOf": [
            {"type": "object", "properties": {"t": {"const": "Num"}, "c": {"type": "integer"}},
             "required": ["t", "c"]},
            {"type": "object", "properties": {"t": {"const": "Text"}, "c": {"type": "string"}},
             "required": ["t", "c"]}
        ]}}});
        let parsed: Result<Send, _> = parse_arguments(
            r#"{"msg": {"t": "Num", "c": 3.0}}"#,
            Parameters::Given(&schema),
        );
        assert_eq!(parsed, Ok(Send { msg: Msg::Num(3) }));
    }

    #[test]
    fn a_tie_takes_the_first_branch() {
        let first = json!({"properties": {"a": {"type": "integer"}}});
        let second = json!({"properties": {"a": {"type": "number"}}});
        let contradicted = json!({"properties": {"a": {"type": "integer"}, "t": {"const": "x"}}});
        let members = json!({"a": 1.0, "t": "y"});
        let members = members.as_object().unwrap();
        assert_eq!(pick_branch(members, &[&first, &second]), Some(&first));
        assert_eq!(
            pick_branch(members, &[&contradicted, &second]),
            Some(&second)
        );
    }

    /// A value's own check, after serde_json read it, as `#[serde(try_from)]` makes.
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(try_from = "u8")]
    struct Priority(u8);

    impl TryFrom<u8> for Priority {
        type Error = String;
        fn try_from(n: u8) -> Result<Self, String> {
            (1..=5)
                .contains(&n)
                .then_some(Priority(n))
                .ok_or(format!("1 to 5, not {n}"))
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Task {
        id: String,
        priority: Priority,
        #[serde(default)]
        scale: f32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Update {
        task: Task,
    }

    fn parse_task<T: DeserializeOwned>(text: &str) -> Result<T, ToolError> {
        let task = json!({"type": "object", "properties": {
            "id": {"type": "string"},
            "priority": {"type": "integer"},
            "scale": {"type": "number"}
        }, "required": ["id", "priority"]});
        let schema = json!({"type": "object", "properties": {"task": task.clone()}});
        let schema = if text.contains("\"task\"") {
            schema
        } else {
            task
        };
        parse_arguments(text, Parameters::Given(&schema))
    }

    /// An error a value raises after it was read is placed by serde_json at the end of the
    /// object holding it when it is the last member: it is still the member's.
    #[test]
    fn errors_raised_after_a_value_was_read_name_its_path() {
        for (text, path) in [
            (r#"{"id": "t-1", "priority": 0}"#, "priority"),
            (r#"{"priority": 0, "id": "t-1", "scale": 1}"#, "priority"),
            (r#"{"task": {"id": "t-1", "priority": 9}}"#, "task.priority"),
        ] {
            let error = if path == "task.priority" {
                parse_task::<Update>(text).map(|_| ())
            } else {
                parse_task::<Task>(text).map(|_| ())
            };
            let n = if path == "task.priority" { 9 } else { 0 };
            assert_eq!(
                error,
                Err(ToolError::InvalidArguments(format!(
                    "{path}: 1 to 5, not {n}"
                ))),
                "{text}"
            );
        }
        // The object's own error stays the object's.
        assert_eq!(
            parse_task::<Task>(r#"{"priority": 1, "scale": 1}"#),
            Err(ToolError::InvalidArguments("missing field `id`".into()))
        );
        assert_eq!(
            parse_task::<Update>(r#"{"task": {"priority": 1, "scale": 1}}"#),
            Err(ToolError::InvalidArguments(
                "task: missing field `id`".into()
            ))
        );
    }

    /// What the schema allows for an `f32` is read: serde_json's reader takes a number past
    /// its range as infinite, or, with its `float_roundtrip` feature (which another crate
    /// in a build may turn on), refuses it; then it is saturated. The test suite, built with
    /// that feature, checks the second case (`agreement.rs`).
    #[test]
    fn floats_past_the_range_of_f32_are_read() {
        let parsed = parse_task::<Task>(r#"{"id": "t", "priority": 1, "scale": -1e300}"#);
        let scale = parsed.map(|task| task.scale);
        assert!(
            scale == Ok(-f32::MAX) || scale == Ok(f32::NEG_INFINITY),
            "{scale:?}"
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
