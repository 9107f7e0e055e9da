//! What changed between two snapshots, in words a reviewer reads at a glance:
//! tools added or removed, parameters added, removed, retyped or made required (recursive
//! types' among them), descriptions, constraints and markers changed.

use serde_json::{Map, Value};

use crate::schema::{type_names, SAYABLE};

/// One line per change; `+` added, `-` removed, `~` changed.
pub(super) fn changes(old: &Value, new: &Value) -> Vec<String> {
    let (Some(old_tools), Some(new_tools)) = (old.as_array(), new.as_array()) else {
        return vec!["the snapshot is not a list of tools; rewrite it".into()];
    };
    let name = |tool: &Value| tool["name"].as_str().unwrap_or_default().to_owned();
    let find = |tools: &[Value], wanted: &str| tools.iter().find(|t| name(t) == wanted).cloned();
    let mut lines = Vec::new();
    // A name listed twice is a change of its own (the registry refuses one), and would
    // otherwise hide behind "a different order" or a diff against the first copy only.
    for (tools, which) in [(old_tools, "old"), (new_tools, "new")] {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for tool in tools {
            let tool_name = name(tool);
            match seen
                .iter_mut()
                .find(|(seen_name, _)| *seen_name == tool_name)
            {
                Some((_, count)) => *count += 1,
                None => seen.push((tool_name, 1)),
            }
        }
        for (tool_name, count) in seen.into_iter().filter(|(_, count)| *count > 1) {
            lines.push(format!(
                "~ `{tool_name}`: listed {count} times in the {which} snapshot (a name must be unique)"
            ));
        }
    }
    for tool in old_tools {
        if find(new_tools, &name(tool)).is_none() {
            lines.push(format!("- `{}`: removed", name(tool)));
        }
    }
    for tool in new_tools {
        let tool_name = name(tool);
        match find(old_tools, &tool_name) {
            None => lines.push(format!("+ `{tool_name}`: added{}", summary_of_new(tool))),
            Some(before) => {
                let mut said = Vec::new();
                tool_changes(&before, tool, &mut said);
                if said.is_empty() && &before != tool {
                    said.push("changed".into());
                }
                lines.extend(
                    said.into_iter()
                        .map(|change| format!("~ `{tool_name}`: {change}")),
                );
            }
        }
    }
    if lines.is_empty() {
        lines.push("~ the tools are in a different order".into());
    }
    lines
}

/// `" (destructive), parameters a, b"` for a new tool.
fn summary_of_new(tool: &Value) -> String {
    let markers = markers(tool);
    let mut text = String::new();
    if !markers.is_empty() {
        text.push_str(&format!(" ({})", markers.join(", ")));
    }
    let names: Vec<String> = properties(&tool["parameters"])
        .map(|p| p.keys().map(|name| format!("`{name}`")).collect())
        .unwrap_or_default();
    if names.is_empty() {
        text.push_str(", no parameters");
    } else {
        text.push_str(&format!(", parameters {}", names.join(", ")));
    }
    text
}

fn tool_changes(old: &Value, new: &Value, said: &mut Vec<String>) {
    match (old.get("output"), new.get("output")) {
        (None, Some(_)) => said.push("now declares its output's schema".into()),
        (Some(_), None) => said.push("no longer declares its output's schema".into()),
        (Some(before), Some(after)) if before != after => {
            said.push("output schema changed".into());
        }
        _ => {}
    }
    if old["description"] != new["description"] {
        said.push(format!(
            "description changed from {} to {}",
            old["description"], new["description"]
        ));
    }
    let (before, after) = (markers(old), markers(new));
    for marker in &after {
        if !before.contains(marker) {
            said.push(format!("now {marker}"));
        }
    }
    for marker in &before {
        if !after.contains(marker) {
            said.push(format!("no longer {marker}"));
        }
    }
    if old["strict"] != new["strict"] {
        let now = if new["strict"] == Value::Bool(true) {
            "now strict"
        } else {
            "no longer strict"
        };
        said.push(now.into());
    }
    object_changes(&old["parameters"], &new["parameters"], "", said);
    // Recursive types stay in `$defs`: their properties are parameters too, named after
    // the type. (A type added or removed shows as a parameter retyped to or from it.)
    if let (Some(before), Some(after)) = (
        old["parameters"].get("$defs").and_then(Value::as_object),
        new["parameters"].get("$defs").and_then(Value::as_object),
    ) {
        for (name, schema) in after {
            if let Some(previous) = before.get(name) {
                object_changes(previous, schema, name, said);
            }
        }
    }
}

fn markers(tool: &Value) -> Vec<String> {
    tool["markers"]
        .as_array()
        .map(|markers| {
            markers
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The changes among the properties of two object schemas, `path` naming where they are.
fn object_changes(old: &Value, new: &Value, path: &str, said: &mut Vec<String>) {
    let empty = Map::new();
    let before = properties(old).unwrap_or(&empty);
    let after = properties(new).unwrap_or(&empty);
    let (old_required, new_required) = (required(old), required(new));
    let at = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    for name in before.keys() {
        if !after.contains_key(name) {
            said.push(format!("parameter `{}` removed", at(name)));
        }
    }
    for (name, schema) in after {
        let is_required = new_required.contains(name);
        let Some(previous) = before.get(name) else {
            let kind = if is_required { "required" } else { "optional" };
            said.push(format!(
                "parameter `{}` added ({kind}, {})",
                at(name),
                type_of(schema)
            ));
            continue;
        };
        let count = said.len();
        if old_required.contains(name) != is_required {
            let now = if is_required {
                "now required"
            } else {
                "now optional"
            };
            said.push(format!("parameter `{}` {now}", at(name)));
        }
        property_changes(previous, schema, &at(name), said);
        if said.len() == count && previous != schema {
            said.push(format!("parameter `{}` changed", at(name)));
        }
    }
}

fn property_changes(old: &Value, new: &Value, path: &str, said: &mut Vec<String>) {
    let (before, after) = (type_of(old), type_of(new));
    if before != after {
        said.push(format!(
            "parameter `{path}` retyped from {before} to {after}"
        ));
    }
    if old.get("description") != new.get("description") {
        said.push(format!("parameter `{path}`: description changed"));
    }
    let (before, after) = (constraints(old), constraints(new));
    if before != after {
        let show = |c: &str| {
            if c.is_empty() {
                "none".to_owned()
            } else {
                c.to_owned()
            }
        };
        said.push(format!(
            "parameter `{path}`: constraints changed from {} to {}",
            show(&before),
            show(&after)
        ));
    }
    let (old_inner, new_inner) = (object_part(old), object_part(new));
    if let (Some(old_inner), Some(new_inner)) = (old_inner, new_inner) {
        object_changes(old_inner, new_inner, path, said);
    }
    if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
        if let (Some(old_inner), Some(new_inner)) = (object_part(old_items), object_part(new_items))
        {
            object_changes(old_inner, new_inner, &format!("{path}[]"), said);
        }
    }
}

/// The object schema inside a schema: itself, or the one non-null member of a nullable
/// `anyOf`.
fn object_part(schema: &Value) -> Option<&Value> {
    if properties(schema).is_some() {
        return Some(schema);
    }
    let members = schema.get("anyOf")?.as_array()?;
    let mut objects = members.iter().filter(|member| properties(member).is_some());
    match (objects.next(), objects.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties")?.as_object()
}

fn required(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A schema's type in a few words: `integer`, `string or null`, `one of "a", "b"`,
/// `array of string`, `TreeNode`.
fn type_of(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(members) = schema.get("anyOf").and_then(Value::as_array) {
        let members: Vec<String> = members.iter().map(type_of).collect();
        return members.join(" or ");
    }
    let types = schema.as_object().map(type_names).unwrap_or_default();
    if types.is_empty() {
        return "any value".into();
    }
    let types: Vec<String> = types
        .into_iter()
        .map(|t| match (t, schema.get("items")) {
            ("array", Some(items)) => format!("array of {}", type_of(items)),
            _ => t.to_owned(),
        })
        .collect();
    types.join(" or ")
}

/// The keywords that constrain values without changing the type, as `key: value` text.
fn constraints(schema: &Value) -> String {
    SAYABLE
        .iter()
        .filter_map(|key| schema.get(*key).map(|value| format!("{key}: {value}")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str, markers: Value, parameters: Value) -> Value {
        json!({"name": name, "description": format!("The {name} tool."), "markers": markers,
               "strict": true, "parameters": parameters})
    }

    fn object(properties: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
    }

    #[test]
    fn every_kind_of_change_is_itemized() {
        let old = json!([
            tool(
                "add_task",
                json!([]),
                object(
                    json!({
                        "title": {"type": "string", "description": "The title."},
                        "priority": {"type": "integer", "minimum": 0, "maximum": 255},
                        "due": {"type": "string"},
                        "details": object(json!({"note": {"type": "string"}}), &["note"])
                    }),
                    &["title", "due", "details"]
                )
            ),
            tool(
                "remove_task",
                json!([]),
                object(json!({"id": {"type": "integer"}}), &["id"])
            ),
            tool("old_tool", json!([]), object(json!({}), &[])),
        ]);
        let mut new_remove = tool(
            "remove_task",
            json!(["destructive"]),
            object(json!({"id": {"type": "integer"}}), &["id"]),
        );
        new_remove["description"] = json!("Remove a task for good.");
        new_remove["strict"] = json!(false);
        let new = json!([
            tool(
                "add_task",
                json!([]),
                object(
                    json!({
                        "title": {"type": "string", "description": "The task's title."},
                        "priority": {"type": "integer", "minimum": 0, "maximum": 65535},
                        "due": {"type": "integer"},
                        "details": object(json!({"note": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}), &["note"]),
                        "owner": {"type": "string"}
                    }),
                    &["title", "details", "owner"]
                )
            ),
            new_remove,
            tool(
                "delete_all_tasks",
                json!(["destructive"]),
                object(json!({}), &[])
            ),
        ]);
        assert_eq!(
            changes(&old, &new),
            [
                "- `old_tool`: removed",
                "~ `add_task`: parameter `title`: description changed",
                "~ `add_task`: parameter `priority`: constraints changed from minimum: 0, maximum: 255 to minimum: 0, maximum: 65535",
                "~ `add_task`: parameter `due` now optional",
                "~ `add_task`: parameter `due` retyped from string to integer",
                "~ `add_task`: parameter `details.tags` added (optional, array of string)",
                "~ `add_task`: parameter `owner` added (required, string)",
                "~ `remove_task`: description changed from \"The remove_task tool.\" to \"Remove a task for good.\"",
                "~ `remove_task`: now destructive",
                "~ `remove_task`: no longer strict",
                "+ `delete_all_tasks`: added (destructive), no parameters",
            ]
        );
    }

    /// A recursive type stays in `$defs`, referred to by `$ref`: what changes in it is
    /// itemized like any parameter, named after the type.
    #[test]
    fn changes_inside_a_recursive_type_are_itemized() {
        let tree = |properties: Value, required: &[&str]| {
            let mut parameters = object(json!({"tree": {"$ref": "#/$defs/TreeNode"}}), &["tree"]);
            parameters["$defs"] = json!({"TreeNode": object(properties, required)});
            tool("count_nodes", json!([]), parameters)
        };
        let children = json!({"type": "array", "items": {"$ref": "#/$defs/TreeNode"}});
        let old = tree(
            json!({"label": {"type": "string"}, "children": children, "note": {"type": "string"}}),
            &["label"],
        );
        let new = tree(
            json!({"label": {"type": "integer"}, "children": children, "weight": {"type": "integer"}}),
            &["label", "children"],
        );
        assert_eq!(
            changes(&json!([old]), &json!([new])),
            [
                "~ `count_nodes`: parameter `TreeNode.note` removed",
                "~ `count_nodes`: parameter `TreeNode.label` retyped from string to integer",
                "~ `count_nodes`: parameter `TreeNode.children` now required",
                "~ `count_nodes`: parameter `TreeNode.weight` added (optional, integer)",
            ]
        );
    }

    #[test]
    fn output_schemas_are_compared() {
        let plain = tool("count", json!([]), object(json!({}), &[]));
        let mut typed = plain.clone();
        typed["output"] = object(json!({"open": {"type": "integer"}}), &["open"]);
        let mut retyped = typed.clone();
        retyped["output"]["properties"]["open"] = json!({"type": "string"});
        assert_eq!(
            changes(&json!([plain.clone()]), &json!([typed.clone()])),
            ["~ `count`: now declares its output's schema"]
        );
        assert_eq!(
            changes(&json!([typed.clone()]), &json!([retyped])),
            ["~ `count`: output schema changed"]
        );
        assert_eq!(
            changes(&json!([typed]), &json!([plain])),
            ["~ `count`: no longer declares its output's schema"]
        );
    }

    #[test]
    fn a_tool_listed_twice_is_said() {
        let a = tool("a", json!([]), object(json!({}), &[]));
        let b = tool("b", json!([]), object(json!({}), &[]));
        assert_eq!(
            changes(&json!([a.clone(), b.clone()]), &json!([b, a.clone(), a])),
            ["~ `a`: listed 2 times in the new snapshot (a name must be unique)"]
        );
    }

    #[test]
    fn order_alone_is_said() {
        let a = tool("a", json!([]), object(json!({}), &[]));
        let b = tool("b", json!([]), object(json!({}), &[]));
        assert_eq!(
            changes(&json!([a.clone(), b.clone()]), &json!([b, a])),
            ["~ the tools are in a different order"]
        );
        assert_eq!(
            changes(&json!({"tools": []}), &json!([])),
            ["the snapshot is not a list of tools; rewrite it"]
        );
    }
}
