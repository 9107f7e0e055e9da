//! The size limits OpenAI documents for one strict schema (docs/providers.md, "OpenAI
//! strict mode"): nesting depth, properties, `enum` values and characters. The strict
//! form checks them here, so a schema past them has no strict form; the validator reports
//! the same numbers, starting from this table ([`Limits`](crate::validate::Limits)).

use serde_json::{Map, Value};

use super::{below, is_object_schema, subschemas};

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
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An object schema nested `depth` deep through a property `a` at each level.
    fn nested(depth: usize) -> Value {
        let mut schema = json!({"type": "object", "properties": {}});
        for _ in 1..depth {
            schema = json!({"type": "object", "properties": {"a": schema}});
        }
        schema
    }

    #[test]
    fn depth_is_counted_in_objects_and_reported_where_it_first_goes_past() {
        assert_eq!(first_excess(&nested(10), &OPENAI_STRICT), None);
        assert_eq!(
            first_excess(&nested(11), &OPENAI_STRICT).as_deref(),
            Some("/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a: objects are nested 11 deep; the limit is 10")
        );
    }

    #[test]
    fn totals_count_properties_enum_values_and_characters() {
        let limits = SchemaLimits {
            max_depth: 10,
            max_properties: 2,
            max_enum_values: 3,
            max_schema_chars: 1000,
        };
        let within = json!({"type": "object", "properties": {
            "a": {"type": "string", "enum": ["x", "y", "z"]}, "b": {"type": "string"}}});
        assert_eq!(first_excess(&within, &limits), None);
        let over = json!({"type": "object", "properties": {
            "a": {"type": "string", "enum": ["x", "y", "z", "w"]}, "b": {"type": "string"},
            "c": {"type": "string"}}});
        assert_eq!(
            first_excess(&over, &limits).as_deref(),
            Some("/: 3 properties in one schema; the limit is 2")
        );
        let mut tally = Tally::default();
        tally.add(over.as_object().expect("an object"));
        tally.add(over["properties"]["a"].as_object().expect("an object"));
        assert_eq!(
            tally.excesses(&limits),
            [
                "3 properties in one schema; the limit is 2",
                "4 enum values in one schema; the limit is 3",
            ]
        );
    }
}
