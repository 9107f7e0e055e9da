//! Parameter schemas: from Rust types to the clean JSON Schema a model reads.
//!
//! schemars produces draft 2020-12 schemas meant for validators: `$defs` with `$ref`s,
//! `format: "uint32"`, `oneOf`, `true` for "anything". Models read every byte of a tool
//! definition and providers reject half of those keywords, so the raw schema goes through
//! three passes, once per tool:
//!
//! 1. `inline`: non-recursive `$defs` are substituted where they are used.
//! 2. `clean`: validator-only keywords go, integer widths become `minimum`/`maximum`,
//!    struct objects get `additionalProperties: false`.
//! 3. `strict`: the OpenAI structured-outputs form (every property required, optionals
//!    nullable), or the reason the schema cannot take that form.
//!
//! Other providers' forms start from the plain one: `anthropic` (strict tool use),
//! `openapi` (Gemini's older `parameters`). Constraints a form cannot carry are said in
//! the description instead (`hints`).

mod anthropic;
mod clean;
mod hints;
mod inline;
mod limits;
mod nullable;
mod openapi;
mod parameters;
mod strict;

use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value};

pub(crate) use anthropic::anthropic_strict_form;
pub(crate) use hints::SAYABLE;
pub(crate) use limits::{SchemaLimits, Tally, OPENAI_STRICT};
pub(crate) use nullable::make_nullable;
pub(crate) use openapi::openapi_form;
pub(crate) use parameters::schema_of;
pub use parameters::ParametersBuilder;
pub(crate) use strict::{strict_form, STRICT_ANNOTATIONS, STRICT_FORMATS, STRICT_KEYWORDS};

/// The generator every tool's parameter types are described with.
pub(crate) fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|settings| settings.meta_schema = None)
        .for_deserialize()
        .into_generator()
}

/// Turns a raw schemars root schema (with `$defs` beside it) into the plain form.
pub(crate) fn plain_form(mut root: Value, mut defs: Map<String, Value>) -> Value {
    if let Some(Value::Object(own)) = root.as_object_mut().and_then(|o| o.remove("$defs")) {
        defs.extend(own);
    }
    let mut root = inline::inline_definitions(root, defs);
    clean::clean(&mut root);
    root
}

/// Calls `f` on every subschema of `schema` (not on `schema` itself), wherever JSON Schema
/// allows one: `properties` values, `items`, `anyOf` members, `$defs` entries... and never on
/// data that merely looks like a schema (the keys of `properties`, `enum` values).
pub(crate) fn for_each_subschema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "additionalProperties"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
                if value.is_object() || value.is_boolean() =>
            {
                f(value);
            }
            "items" => match value {
                Value::Array(items) => items.iter_mut().for_each(&mut *f),
                other => f(other),
            },
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(items) = value {
                    items.iter_mut().for_each(&mut *f);
                }
            }
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(members) = value {
                    members.values_mut().for_each(&mut *f);
                }
            }
            _ => {}
        }
    }
}

/// One subschema of a schema object, as the validator and the size limits walk them.
pub(crate) struct Subschema<'a> {
    /// The subschema (an object, or `true`/`false` where JSON Schema allows one).
    pub(crate) schema: &'a Value,
    /// The JSON pointer segments from the parent to it: `["properties", "city"]`.
    pub(crate) segments: Vec<String>,
    /// Whether nesting is counted from it anew: a `$defs` entry is defined, not used, there.
    pub(crate) counts_anew: bool,
}

/// The subschemas of `object`, in its order: members of `properties` and the like, `$defs`
/// entries, items of `anyOf` and the like, and single schemas (`items`, `not`...).
/// `items: true` and the like are subschemas too; `additionalProperties: false` is not
/// (it closes an object, and is judged as such).
pub(crate) fn subschemas(object: &Map<String, Value>) -> Vec<Subschema<'_>> {
    let mut found = Vec::new();
    let mut push = |schema, segments: Vec<String>, counts_anew| {
        found.push(Subschema {
            schema,
            segments,
            counts_anew,
        });
    };
    for (key, value) in object {
        match (key.as_str(), value) {
            ("properties" | "patternProperties" | "dependentSchemas", Value::Object(members)) => {
                for (name, member) in members {
                    push(member, vec![key.clone(), name.clone()], false);
                }
            }
            ("$defs" | "definitions", Value::Object(members)) => {
                for (name, member) in members {
                    push(member, vec![key.clone(), name.clone()], true);
                }
            }
            ("anyOf" | "allOf" | "oneOf" | "prefixItems" | "items", Value::Array(members)) => {
                for (index, member) in members.iter().enumerate() {
                    push(member, vec![key.clone(), index.to_string()], false);
                }
            }
            (
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems",
                Value::Object(_),
            )
            | (
                "items" | "not" | "if" | "then" | "else" | "contains" | "propertyNames"
                | "unevaluatedItems",
                Value::Bool(_),
            ) => push(value, vec![key.clone()], false),
            _ => {}
        }
    }
    found
}

/// The type names a schema declares (`"type": "x"` or `"type": [..]`).
pub(crate) fn type_names(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a schema declares objects (`object`, or the OpenAPI subset's `OBJECT`).
pub(crate) fn is_object_schema(schema: &Map<String, Value>) -> bool {
    type_names(schema)
        .iter()
        .any(|t| t.eq_ignore_ascii_case("object"))
}

/// Whether a schema restricts values at all (`{}` and annotation-only schemas do not).
pub(crate) fn is_constrained(schema: &Map<String, Value>) -> bool {
    ["type", "anyOf", "$ref", "enum", "const"]
        .iter()
        .any(|key| schema.contains_key(*key))
}

/// Runs `f` with `pointer` extended by `segments`, each escaped as JSON pointers want
/// (`~` as `~0`, `/` as `~1`), and restores it after.
pub(crate) fn below<R>(
    pointer: &mut String,
    segments: &[&str],
    f: impl FnOnce(&mut String) -> R,
) -> R {
    let length = pointer.len();
    for segment in segments {
        pointer.push('/');
        pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    let result = f(pointer);
    pointer.truncate(length);
    result
}

/// The output schema of a `Json<T>` tool output, in the plain form.
pub(crate) fn output_schema<T: schemars::JsonSchema>() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.meta_schema = None)
        .for_serialize()
        .into_generator();
    let root = generator.root_schema_for::<T>().to_value();
    let defs = generator
        .take_definitions(true)
        .into_iter()
        .collect::<Map<String, Value>>();
    plain_form(root, defs)
}
