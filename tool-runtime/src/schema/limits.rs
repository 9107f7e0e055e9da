//! The size limits OpenAI documents for one strict schema (docs/providers.md, "OpenAI
//! strict mode"): nesting depth, properties, `enum` values and characters. The strict
//! form checks them here, so a schema past them has no strict form; the validator reports
//! the same numbers, starting from this table ([`Limits`](crate::validate::Limits)).

use serde_json::{Map, Value};

use super::{below, is_object_schema};

/// The numbers one strict schema must stay within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SchemaLimits {
    /// Levels of nested objects.
    pub(crate) max_depth: usize,
    /// Properties, all levels together.
    pub(crate) max_properties: usize,
    /// `enum` values, all together.
    pub(crate) max_enum_values: usize,
    /// Characters of property names, `$defs` names, `enum` and `const` strings.
    pub(crate) max_schema_chars: usize,
}

/// OpenAI's limits, mid-2026 (they have been 5 levels and 100 properties before).
pub(crate) const OPENAI_STRICT: SchemaLimits = SchemaLimits {
    max_depth: 10,
    max_properties: 5000,
    max_enum_values: 1000,
    max_schema_chars: 120_000,
};

/// What one schema counts towards the limits on totals.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    properties: usize,
    enum_values: usize,
    chars: usize,
}

impl Tally {
    /// Adds what `object` itself declares (not its subschemas).
    pub(crate) fn add(&mut self, object: &Map<String, Value>) {
        let chars = |names: &mut dyn Iterator<Item = &str>| -> usize {
            names.map(|name| name.chars().count()).sum()
        };
        if let Some(Value::Object(properties)) = object.get("properties") {
            self.properties = self.properties.saturating_add(properties.len());
            self.chars += chars(&mut properties.keys().map(String::as_str));
        }
        if let Some(Value::Object(defs)) = object.get("$defs") {
            self.chars += chars(&mut defs.keys().map(String::as_str));
        }
        if let Some(Value::Array(values)) = object.get("enum") {
            self.enum_values = self.enum_values.saturating_add(values.len());
            self.chars += chars(&mut values.iter().filter_map(Value::as_str));
        }
        if let Some(Value::String(value)) = object.get("const") {
            self.chars += value.chars().count();
        }
    }

    /// What is over `limits`, in words: `6000 properties in one schema; the limit is 5000`.
    pub(crate) fn excesses(&self, limits: &SchemaLimits) -> Vec<String> {
        [
            (self.properties, limits.max_properties, "properties"),
            (self.enum_values, limits.max_enum_values, "enum values"),
            (
                self.chars,
                limits.max_schema_chars,
                "characters of names and enum values",
            ),
        ]
        .into_iter()
        .filter(|(count, max, _)| count > max)
        .map(|(count, max, what)| format!("{count} {what} in one schema; the limit is {max}"))
        .collect()
    }
}

/// The first limit `strict` (a strict parameter schema) is past, as `pointer: what`.
pub(crate) fn first_excess(strict: &Value, limits: &SchemaLimits) -> Option<String> {
    let mut walk = Walk {
        limits,
        tally: Tally::default(),
        too_deep: None,
    };
    let level = usize::from(strict.as_object().is_some_and(is_object_schema));
    walk.visit(strict, &mut String::new(), level);
    if let Some(too_deep) = walk.too_deep {
        return Some(too_deep);
    }
    let total = walk.tally.excesses(limits).into_iter().next()?;
    Some(format!("/: {total}"))
}

struct Walk<'a> {
    limits: &'a SchemaLimits,
    tally: Tally,
    too_deep: Option<String>,
}

impl Walk<'_> {
    /// `level`: how many object schemas enclose this one, itself included if it is one.
    fn visit(&mut self, schema: &Value, pointer: &mut String, level: usize) {
        let Some(object) = schema.as_object() else {
            return;
        };
        if is_object_schema(object) && level > self.limits.max_depth && self.too_deep.is_none() {
            let at = if pointer.is_empty() {
                "/"
            } else {
                pointer.as_str()
            };
            let max = self.limits.max_depth;
            self.too_deep = Some(format!(
                "{at}: objects are nested {level} deep; the limit is {max}"
            ));
        }
        self.tally.add(object);
        for (key, value) in object {
            match (key.as_str(), value) {
                (
                    "properties" | "patternProperties" | "dependentSchemas",
                    Value::Object(members),
                ) => {
                    for (name, member) in members {
                        self.descend(member, pointer, &[key, name], level);
                    }
                }
                // A definition is counted from where it is defined, not where it is used.
                ("$defs" | "definitions", Value::Object(members)) => {
                    for (name, member) in members {
                        self.descend(member, pointer, &[key, name], 0);
                    }
                }
                ("anyOf" | "allOf" | "oneOf" | "prefixItems" | "items", Value::Array(members)) => {
                    for (index, member) in members.iter().enumerate() {
                        self.descend(member, pointer, &[key, &index.to_string()], level);
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
                ) => self.descend(value, pointer, &[key], level),
                _ => {}
            }
        }
    }

    fn descend(&mut self, schema: &Value, pointer: &mut String, segments: &[&str], level: usize) {
        let is_object = schema.as_object().is_some_and(is_object_schema);
        below(pointer, segments, |pointer| {
            self.visit(schema, pointer, level + usize::from(is_object));
        });
    }
}
