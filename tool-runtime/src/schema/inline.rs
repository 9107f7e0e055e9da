//! Substitutes `$ref`s to non-recursive definitions with the definitions themselves.
//!
//! A model reads a tool definition once, top to bottom; a `$ref` makes it look elsewhere,
//! and several providers handle `$ref` badly (docs/providers.md, "References and recursive types"). Recursive types cannot be
//! inlined, so they stay in a root `$defs` and are referenced from there.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::for_each_subschema;

const PREFIX: &str = "#/$defs/";

pub(super) fn inline_definitions(mut root: Value, defs: Map<String, Value>) -> Value {
    if defs.is_empty() {
        return root;
    }
    let recursive = recursive_names(&defs);
    let mut inliner = Inliner {
        defs: &defs,
        recursive: &recursive,
        used: HashSet::new(),
    };
    inliner.walk(&mut root);

    // Recursive definitions are kept, each with its own non-recursive references inlined,
    // and only those the schema still reaches.
    let mut kept = Map::new();
    let mut pending: Vec<String> = inliner.used.drain().collect();
    while let Some(name) = pending.pop() {
        if kept.contains_key(&name) {
            continue;
        }
        let Some(definition) = defs.get(&name) else {
            continue;
        };
        let mut definition = definition.clone();
        inliner.walk(&mut definition);
        pending.extend(inliner.used.drain());
        kept.insert(name, definition);
    }
    if !kept.is_empty() {
        let mut sorted: Vec<_> = kept.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        if let Value::Object(object) = &mut root {
            object.insert("$defs".into(), Value::Object(sorted.into_iter().collect()));
        }
    }
    root
}

struct Inliner<'a> {
    defs: &'a Map<String, Value>,
    recursive: &'a HashSet<String>,
    /// Recursive definitions referenced by what was walked.
    used: HashSet<String>,
}

impl Inliner<'_> {
    fn walk(&mut self, schema: &mut Value) {
        if let Some(name) = ref_name(schema) {
            if self.recursive.contains(&name) {
                self.used.insert(name);
            } else if let Some(definition) = self.defs.get(&name) {
                // Siblings of `$ref` (a field's own description, its default) are more
                // specific than the definition's, so they win; but `properties` and
                // `required` add to the definition's (an internally tagged newtype variant
                // is its struct's `$ref` beside the tag's property: both apply).
                let mut inlined = definition.clone();
                if let (Value::Object(target), Value::Object(siblings)) = (&mut inlined, &*schema) {
                    for (key, value) in siblings {
                        match (key.as_str(), target.get_mut(key), value) {
                            ("$ref", _, _) => {}
                            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                                mine.extend(theirs.clone());
                            }
                            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                                for name in theirs {
                                    if !mine.contains(name) {
                                        mine.push(name.clone());
                                    }
                                }
                            }
                            _ => {
                                target.insert(key.clone(), value.clone());
                            }
                        }
                    }
                }
                *schema = inlined;
                // The definition may itself refer to others.
                self.walk(schema);
                return;
            }
        }
        for_each_subschema(schema, &mut |sub| self.walk(sub));
    }
}

fn ref_name(schema: &Value) -> Option<String> {
    let pointer = schema.get("$ref")?.as_str()?.strip_prefix(PREFIX)?;
    Some(pointer.replace("~1", "/").replace("~0", "~"))
}

/// Names of the definitions that can reach themselves through `$ref`s.
fn recursive_names(defs: &Map<String, Value>) -> HashSet<String> {
    let edges: HashMap<&str, Vec<String>> = defs
        .iter()
        .map(|(name, schema)| (name.as_str(), refs_in(schema)))
        .collect();
    defs.keys()
        .filter(|start| {
            let mut seen = HashSet::new();
            let mut stack: Vec<&str> = edges[start.as_str()].iter().map(String::as_str).collect();
            while let Some(next) = stack.pop() {
                if next == start.as_str() {
                    return true;
                }
                if seen.insert(next) {
                    if let Some(more) = edges.get(next) {
                        stack.extend(more.iter().map(String::as_str));
                    }
                }
            }
            false
        })
        .cloned()
        .collect()
}

fn refs_in(schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut copy = schema.clone();
    collect(&mut copy, &mut found);
    found
}

fn collect(schema: &mut Value, found: &mut Vec<String>) {
    if let Some(name) = ref_name(schema) {
        found.push(name);
    }
    for_each_subschema(schema, &mut |sub| collect(sub, found));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inlines_nested_and_keeps_recursive() {
        let defs = json!({
            "Unit": {"type": "string", "enum": ["c", "f"], "description": "unit"},
            "Outer": {"type": "object", "properties": {"u": {"$ref": "#/$defs/Unit"}}},
            "Node": {"type": "object", "properties": {
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "u": {"$ref": "#/$defs/Unit"}
            }}
        });
        let root = json!({"type": "object", "properties": {
            "o": {"$ref": "#/$defs/Outer", "description": "mine"},
            "n": {"$ref": "#/$defs/Node"}
        }});
        let out = inline_definitions(root, defs.as_object().unwrap().clone());
        assert_eq!(
            out,
            json!({"type": "object", "properties": {
                "o": {"type": "object", "properties": {
                    "u": {"type": "string", "enum": ["c", "f"], "description": "unit"}
                }, "description": "mine"},
                "n": {"$ref": "#/$defs/Node"}
            }, "$defs": {"Node": {"type": "object", "properties": {
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "u": {"type": "string", "enum": ["c", "f"], "description": "unit"}
            }}}})
        );
    }

    /// An internally tagged newtype variant: schemars writes the struct's `$ref` beside the
    /// tag's property. Both apply, so the struct's fields stay.
    #[test]
    fn properties_beside_a_ref_add_to_the_definitions() {
        let defs = json!({"Label": {"type": "object", "description": "A label.",
            "properties": {"text": {"type": "string"}}, "required": ["text"]}});
        let root = json!({"type": "object", "properties": {"figure": {
            "$ref": "#/$defs/Label", "type": "object", "description": "Mine.",
            "properties": {"kind": {"type": "string", "const": "Labelled"}},
            "required": ["kind"]
        }}});
        let out = inline_definitions(root, defs.as_object().unwrap().clone());
        assert_eq!(
            out["properties"]["figure"],
            json!({"type": "object", "description": "Mine.", "properties": {
                "text": {"type": "string"},
                "kind": {"type": "string", "const": "Labelled"}
            }, "required": ["text", "kind"]})
        );
    }
}
