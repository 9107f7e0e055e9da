//! The rules for parameter schemas, by dialect: plain JSON Schema, OpenAI's strict
//! subset, Anthropic's strict subset, and the OpenAPI subset of Gemini's `parameters`.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::report::Report;
use super::Limits;
use crate::schema::{
    below, is_constrained, is_object_schema, subschemas, Tally, STRICT_ANNOTATIONS, STRICT_FORMATS,
    STRICT_KEYWORDS,
};

/// Which rules a schema is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    /// Any JSON Schema (non-strict OpenAI, Anthropic, Gemini's `parametersJsonSchema`, MCP).
    Plain,
    /// OpenAI structured outputs (docs/providers.md, "OpenAI strict mode").
    OpenAiStrict,
    /// Anthropic's strict tool use: no recursion, no numeric or length bounds.
    AnthropicStrict,
    /// Gemini's `parameters`: the OpenAPI 3.0 subset.
    OpenApi,
}

const ANTHROPIC_BOUNDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
];

/// The fields of Gemini's `Schema` object.
const OPENAPI: &[&str] = &[
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

const OPENAPI_TYPES: &[&str] = &[
    "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL",
];

/// Checks a parameter schema found at `base` within the tool's definition.
pub(super) fn check(
    schema: &Value,
    base: &str,
    dialect: Dialect,
    limits: &Limits,
    report: &mut Report<'_>,
) {
    let Some(root) = schema.as_object() else {
        report.push(base, "the schema must be a JSON object");
        return;
    };
    let object_type = if dialect == Dialect::OpenApi {
        "OBJECT"
    } else {
        "object"
    };
    if root.get("type").and_then(Value::as_str) != Some(object_type) {
        report.push(
            base,
            format!("the root must have `type: \"{object_type}\"`"),
        );
    }
    if dialect == Dialect::OpenAiStrict && root.contains_key("anyOf") {
        report.push(base, "a root `anyOf` is not supported in strict mode");
    }
    let defs = root.get("$defs").and_then(Value::as_object);
    let mut walk = Walk {
        dialect,
        limits,
        report,
        defs,
        recursive: recursive_defs(schema),
        tally: Tally::default(),
        too_deep: false,
    };
    walk.visit(schema, &mut base.to_owned(), 1);
    if dialect == Dialect::OpenAiStrict {
        for excess in walk.tally.excesses(&limits.schema_limits()) {
            walk.push(base, excess);
        }
    }
}

struct Walk<'a, 'r> {
    dialect: Dialect,
    limits: &'a Limits,
    report: &'a mut Report<'r>,
    defs: Option<&'a Map<String, Value>>,
    recursive: HashSet<String>,
    tally: Tally,
    too_deep: bool,
}

impl Walk<'_, '_> {
    fn strict(&self) -> bool {
        matches!(
            self.dialect,
            Dialect::OpenAiStrict | Dialect::AnthropicStrict
        )
    }

    fn push(&mut self, pointer: &str, message: impl Into<String>) {
        self.report.push(pointer, message);
    }

    /// `level`: how many object schemas enclose this one, itself included if it is one.
    fn visit(&mut self, schema: &Value, pointer: &mut String, level: usize) {
        let Some(object) = schema.as_object() else {
            if schema.is_boolean() && self.dialect != Dialect::Plain {
                self.push(pointer, "a `true`/`false` schema is not supported here");
            } else if !schema.is_boolean() {
                self.push(pointer, "a schema must be a JSON object");
            }
            return;
        };
        let is_object = is_object_schema(object);
        if is_object {
            self.check_depth(pointer, level);
        }
        self.check_ref(object, pointer);
        match self.dialect {
            Dialect::Plain => {}
            Dialect::OpenAiStrict => self.openai_strict(object, pointer, is_object),
            Dialect::AnthropicStrict => self.anthropic_strict(object, pointer, is_object),
            Dialect::OpenApi => self.openapi(object, pointer, is_object),
        }
        self.tally.add(object);
        self.children(object, pointer, level);
    }

    fn children(&mut self, object: &Map<String, Value>, pointer: &mut String, level: usize) {
        for child in subschemas(object) {
            let level = if child.counts_anew { 0 } else { level };
            let segments: Vec<&str> = child.segments.iter().map(String::as_str).collect();
            self.descend(child.schema, pointer, &segments, level);
        }
    }

    fn descend(&mut self, schema: &Value, pointer: &mut String, segments: &[&str], level: usize) {
        let is_object = schema.as_object().is_some_and(is_object_schema);
        below(pointer, segments, |pointer| {
            self.visit(schema, pointer, level + usize::from(is_object));
        });
    }

    fn check_depth(&mut self, pointer: &str, level: usize) {
        if self.strict() && level > self.limits.max_depth && !self.too_deep {
            self.too_deep = true;
            let max = self.limits.max_depth;
            self.push(
                pointer,
                format!("objects are nested {level} deep; the limit is {max}"),
            );
        }
    }

    /// Only local references to `$defs` (or the root) can be followed by providers.
    fn check_ref(&mut self, object: &Map<String, Value>, pointer: &str) {
        let Some(reference) = object.get("$ref") else {
            return;
        };
        let Some(reference) = reference.as_str() else {
            self.push(pointer, "`$ref` must be a string");
            return;
        };
        if self.dialect == Dialect::OpenApi {
            self.push(
                pointer,
                "`$ref` is not supported in Gemini's `parameters`; send `parametersJsonSchema`",
            );
            return;
        }
        if reference == "#" {
            if self.dialect == Dialect::AnthropicStrict {
                self.push(
                    pointer,
                    "a recursive type is not supported in Anthropic's strict mode",
                );
            }
            return;
        }
        let Some(name) = reference.strip_prefix("#/$defs/") else {
            self.push(
                pointer,
                format!("`$ref` to `{reference}`: only `#/$defs/...` can be resolved"),
            );
            return;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        if !self.defs.is_some_and(|defs| defs.contains_key(&name)) {
            self.push(
                pointer,
                format!("`$ref` to `{reference}`, which is not in `$defs`"),
            );
        } else if self.dialect == Dialect::AnthropicStrict && self.recursive.contains(&name) {
            self.push(
                pointer,
                "a recursive type is not supported in Anthropic's strict mode",
            );
        }
    }

    fn openai_strict(&mut self, object: &Map<String, Value>, pointer: &str, is_object: bool) {
        for key in object.keys() {
            if key == "default" {
                self.push(
                    pointer,
                    "`default` is reportedly rejected in strict mode; say it in the description",
                );
            } else if !STRICT_KEYWORDS.contains(&key.as_str())
                // Annotations change nothing a grammar enforces: let through.
                && !STRICT_ANNOTATIONS.contains(&key.as_str())
            {
                self.push(pointer, format!("`{key}` is not supported in strict mode"));
            }
        }
        if let Some(format) = object.get("format").and_then(Value::as_str) {
            if !STRICT_FORMATS.contains(&format) {
                self.push(
                    pointer,
                    format!("format `{format}` is not supported in strict mode"),
                );
            }
        }
        if !is_constrained(object) {
            self.push(
                pointer,
                "a schema that accepts any value is not supported in strict mode",
            );
        }
        if is_object {
            self.closed(object, pointer);
            let required = names(object.get("required"));
            for name in property_names(object) {
                if !required.contains(&name) {
                    self.push(
                        pointer,
                        format!(
                            "property `{name}` is not in `required`: strict mode needs every \
                             property there (make it nullable to keep it optional)"
                        ),
                    );
                }
            }
            self.required_are_properties(object, pointer);
        }
    }

    fn anthropic_strict(&mut self, object: &Map<String, Value>, pointer: &str, is_object: bool) {
        for key in ANTHROPIC_BOUNDS {
            if object.contains_key(*key) {
                self.push(
                    pointer,
                    format!("`{key}` is not supported in Anthropic's strict mode (no numeric or length bounds)"),
                );
            }
        }
        if object
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|n| n > 1)
        {
            self.push(
                pointer,
                "`minItems` above 1 is not supported in Anthropic's strict mode",
            );
        }
        if is_object {
            self.closed(object, pointer);
            self.required_are_properties(object, pointer);
        }
    }

    fn openapi(&mut self, object: &Map<String, Value>, pointer: &str, is_object: bool) {
        for key in object.keys() {
            if !OPENAPI.contains(&key.as_str()) && key != "$ref" {
                self.push(
                    pointer,
                    format!("`{key}` is not in the OpenAPI subset of Gemini's `parameters`"),
                );
            }
        }
        match object.get("type") {
            Some(Value::String(t)) if OPENAPI_TYPES.contains(&t.as_str()) => {}
            Some(Value::String(t)) => self.push(
                pointer,
                format!("type `{t}` is not one of STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT"),
            ),
            Some(_) => self.push(
                pointer,
                "a list of types cannot be said here; use `nullable` or `anyOf`",
            ),
            None if object.contains_key("anyOf") || object.contains_key("$ref") => {}
            None => self.push(pointer, "a schema without `type` is not supported here"),
        }
        if is_object && property_names(object).is_empty() {
            self.push(
                pointer,
                "an object without `properties` (a map, or any object) cannot be declared here",
            );
        }
        if object.contains_key("enum")
            && object.get("type").and_then(Value::as_str) != Some("STRING")
        {
            self.push(pointer, "`enum` is only for STRING here");
        }
    }

    /// Strict objects are closed.
    fn closed(&mut self, object: &Map<String, Value>, pointer: &str) {
        if object.get("additionalProperties") != Some(&Value::Bool(false)) {
            self.push(
                pointer,
                "an object in strict mode must have `additionalProperties: false`",
            );
        }
    }

    fn required_are_properties(&mut self, object: &Map<String, Value>, pointer: &str) {
        let properties = property_names(object);
        for name in names(object.get("required")) {
            if !properties.contains(&name) {
                self.push(
                    pointer,
                    format!("`required` names `{name}`, which is not a property"),
                );
            }
        }
    }
}

fn property_names(object: &Map<String, Value>) -> Vec<String> {
    match object.get("properties") {
        Some(Value::Object(properties)) => properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn names(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The `$defs` entries that reach themselves through `$ref`s: the recursive types.
fn recursive_defs(root: &Value) -> HashSet<String> {
    let Some(defs) = root.get("$defs").and_then(Value::as_object) else {
        return HashSet::new();
    };
    let edges: HashMap<&str, HashSet<String>> = defs
        .iter()
        .map(|(name, schema)| {
            let mut found = HashSet::new();
            refs_in(schema, &mut found);
            (name.as_str(), found)
        })
        .collect();
    let mut recursive = HashSet::new();
    for start in defs.keys() {
        let mut seen = HashSet::new();
        let mut stack: Vec<&String> = edges[start.as_str()].iter().collect();
        while let Some(next) = stack.pop() {
            if next == start {
                recursive.insert(start.clone());
                break;
            }
            if seen.insert(next.clone()) {
                if let Some(more) = edges.get(next.as_str()) {
                    stack.extend(more.iter());
                }
            }
        }
    }
    recursive
}

fn refs_in(schema: &Value, found: &mut HashSet<String>) {
    match schema {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix("#/$defs/"))
            {
                found.insert(name.replace("~1", "/").replace("~0", "~"));
            }
            object.values().for_each(|value| refs_in(value, found));
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, found)),
        _ => {}
    }
}
