//! Values a JSON Schema allows, as proptest strategies: a small generator that walks a
//! schema (the plain or strict form of a tool's parameters) and produces instances of it,
//! biased toward the edges: integers at and next to their bounds, integral floats (`3.0`,
//! `-0.0`), `null` where it is allowed, every `anyOf` branch, optional properties both
//! present and absent, map keys at the edges of their patterns.
//!
//! It explores what the schema says, not what serde produces, and it is not exact: a value
//! it makes may still fail the schema (a key list filtered by a pattern, recursion cut
//! short), so callers keep only the values a real validator accepts. Self-contained (it
//! needs `proptest`, `serde_json` and `jsonschema`): copy it as it is.

use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{json, Map, Value};

/// How deep generated values follow `$ref`s and nested containers.
const MAX_DEPTH: usize = 4;

/// Values of `schema`, a root schema (its `$ref`s point into its own `$defs`).
pub(crate) fn allowed_values(schema: &Value) -> BoxedStrategy<Value> {
    values(schema, schema, 0)
}

fn values(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    if depth > MAX_DEPTH * 2 {
        return Just(Value::Null).boxed();
    }
    let Some(object) = schema.as_object() else {
        // `true`: anything; `false`: nothing (callers filter).
        return any_json();
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").unwrap_or(reference);
        let target = root.get("$defs").and_then(|defs| defs.get(name));
        return match target {
            Some(target) => values(target, root, depth + 1),
            None => Just(Value::Null).boxed(),
        };
    }
    if let Some(Value::Array(parts)) = object.get("allOf") {
        // An object made of parts (serde's `flatten`): the first part merged into the rest,
        // one branch at a time if it is an `anyOf`; then the next part.
        let mut rest = object.clone();
        match parts.split_first() {
            Some((_, [])) | None => drop(rest.remove("allOf")),
            Some((_, others)) => drop(rest.insert("allOf".into(), Value::Array(others.to_vec()))),
        }
        let rest = Value::Object(rest);
        let Some(first) = parts.first() else {
            return values(&rest, root, depth);
        };
        let mut own = first.clone();
        let branches = own.as_object_mut().and_then(|own| own.remove("anyOf"));
        return match branches {
            Some(Value::Array(branches)) if !branches.is_empty() => Union::new(
                branches
                    .iter()
                    .map(|branch| values(&merge(&rest, &merge(&own, branch)), root, depth)),
            )
            .boxed(),
            _ => values(&merge(&rest, &own), root, depth),
        };
    }
    if let Some(Value::Array(branches)) = object.get("anyOf") {
        let mut rest = object.clone();
        rest.remove("anyOf");
        let rest = Value::Object(rest);
        // Each branch, with the keywords beside `anyOf` (a flattened enum's siblings).
        return Union::new(
            branches
                .iter()
                .map(|branch| values(&merge(&rest, branch), root, depth)),
        )
        .boxed();
    }
    if let Some(constant) = object.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(Value::Array(choices)) = object.get("enum") {
        if choices.is_empty() {
            return Just(Value::Null).boxed();
        }
        return prop::sample::select(choices.clone()).boxed();
    }
    let types: Vec<String> = match object.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return any_json(),
    };
    Union::new(types.iter().map(|kind| match kind.as_str() {
        "null" => Just(Value::Null).boxed(),
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        "integer" => integers(schema),
        "number" => numbers(schema),
        "string" => strings(schema),
        "array" => arrays(schema, root, depth),
        "object" => objects(schema, root, depth),
        _ => Just(Value::Null).boxed(),
    }))
    .boxed()
}

/// `base` with `part`'s keywords added: properties and `required` joined, `anyOf`s nested
/// under `allOf`, other keywords from `part` where `base` has none.
fn merge(base: &Value, part: &Value) -> Value {
    let (Some(base), Some(part)) = (base.as_object(), part.as_object()) else {
        return part.clone();
    };
    let mut out = base.clone();
    for (key, value) in part {
        match (key.as_str(), out.get_mut(key)) {
            ("properties", Some(Value::Object(mine))) => {
                if let Value::Object(theirs) = value {
                    for (name, schema) in theirs {
                        mine.entry(name.clone()).or_insert_with(|| schema.clone());
                    }
                }
            }
            ("required", Some(Value::Array(mine))) => {
                if let Value::Array(theirs) = value {
                    for name in theirs {
                        if !mine.contains(name) {
                            mine.push(name.clone());
                        }
                    }
                }
            }
            ("anyOf", Some(_)) => {
                let all_of = out.entry("allOf").or_insert_with(|| json!([]));
                if let Value::Array(all_of) = all_of {
                    all_of.push(json!({"anyOf": value}));
                }
            }
            (_, Some(_)) => {}
            (_, None) => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn any_json() -> BoxedStrategy<Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1.5),
        json!("text"),
        json!([1, null]),
        json!({"a": {"b": null}}),
    ])
    .boxed()
}

fn bound(schema: &Value, key: &str) -> Option<i128> {
    let number = schema.get(key)?;
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
        .or_else(|| number.as_f64().map(|f| f as i128))
}

/// A JSON integer, if `n` is one (JSON numbers here are at most 64 bits).
fn json_integer(n: i128) -> Option<Value> {
    i64::try_from(n)
        .map(Value::from)
        .or_else(|_| u64::try_from(n).map(Value::from))
        .ok()
}

/// `n` written as a float (`3.0`), when the float is exactly `n`.
fn integral_float(n: i128) -> Option<Value> {
    let float = n as f64;
    (float as i128 == n && float.is_finite()).then(|| json!(float))
}

/// Integers within the bounds: anywhere, at the bounds and next to them, and as floats.
fn integers(schema: &Value) -> BoxedStrategy<Value> {
    let min = bound(schema, "minimum")
        .or_else(|| bound(schema, "exclusiveMinimum").map(|n| n + 1))
        .unwrap_or(i128::from(i64::MIN));
    let max = bound(schema, "maximum")
        .or_else(|| bound(schema, "exclusiveMaximum").map(|n| n - 1))
        .unwrap_or(i128::from(u64::MAX));
    let (min, max) = (min.max(i128::from(i64::MIN)), max.min(i128::from(u64::MAX)));
    if min > max {
        return Just(Value::Null).boxed();
    }
    let edges: Vec<i128> = [min, min + 1, max - 1, max, 0, 1, -1, 2, 100]
        .into_iter()
        .filter(|n| (min..=max).contains(n))
        .collect();
    let mut edge_values: Vec<Value> = edges.iter().filter_map(|&n| json_integer(n)).collect();
    edge_values.extend(edges.iter().filter_map(|&n| integral_float(n)));
    if (min..=max).contains(&0) {
        edge_values.push(json!(-0.0));
    }
    prop_oneof![
        2 => (min..=max).prop_filter_map("a JSON integer", json_integer),
        2 => prop::sample::select(edge_values),
        1 => (min.max(-1_000_000)..=max.min(1_000_000)).prop_filter_map("a float", integral_float),
    ]
    .boxed()
}

fn numbers(schema: &Value) -> BoxedStrategy<Value> {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    prop_oneof![
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) / 4.0)),
        any::<i32>().prop_map(Value::from),
        prop::sample::select(vec![
            json!(0),
            json!(-0.0),
            json!(1.0),
            json!(1e300),
            json!(-2.5)
        ]),
    ]
    .prop_map(move |value| {
        // Within the bounds, if any, by clamping.
        let float = value.as_f64().unwrap_or_default();
        match (min, max) {
            (Some(min), _) if float < min => json!(min),
            (_, Some(max)) if float > max => json!(max),
            _ => value,
        }
    })
    .boxed()
}

/// Strings; where the schema constrains them (lengths, a pattern), candidates of every
/// length, which callers' validation sorts out.
fn strings(schema: &Value) -> BoxedStrategy<Value> {
    let constrained = ["minLength", "maxLength", "pattern", "format"]
        .iter()
        .any(|key| schema.get(*key).is_some());
    let edges = vec!["", "a", "é", "😀", "\n", "null", "0", "ab", "Paris, FR"];
    if constrained {
        // Lengths count characters (code points), not bytes: strings of every length
        // within the bounds, of one- to four-byte characters.
        let length = |key: &str| {
            schema
                .get(key)
                .and_then(Value::as_u64)
                .map(|n| n.min(64) as usize)
        };
        // The strict form says lengths as a pattern: `^[\s\S]{1,20}$`.
        let in_pattern: Option<(usize, Option<usize>)> = schema
            .get("pattern")
            .and_then(Value::as_str)
            .and_then(|p| p.strip_prefix("^[\\s\\S]{")?.strip_suffix("}$"))
            .and_then(|bounds| match bounds.split_once(',') {
                None => bounds.parse().ok().map(|n| (n, Some(n))),
                Some((min, max)) => Some((min.parse().ok()?, max.parse().ok())),
            });
        let min = length("minLength")
            .or(in_pattern.map(|(min, _)| min.min(64)))
            .unwrap_or(0);
        let max = length("maxLength")
            .or(in_pattern.and_then(|(_, max)| max.map(|max| max.min(64))))
            .unwrap_or(min + 8)
            .max(min);
        let characters = prop::sample::select(vec!['a', 'é', '😀', '\n', '0', ' ', '€']);
        return prop_oneof![
            3 => prop::collection::vec(characters, min..=max)
                .prop_map(|characters| Value::from(characters.into_iter().collect::<String>())),
            1 => prop::sample::select(edges).prop_map(Value::from),
        ]
        .boxed();
    }
    prop_oneof![
        "[a-zA-Z0-9 ,.-]{0,10}".prop_map(Value::from),
        prop::sample::select(edges).prop_map(Value::from),
    ]
    .boxed()
}

fn arrays(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(3) as usize;
    if let Some(Value::Array(prefix)) = schema.get("prefixItems") {
        let items: Vec<BoxedStrategy<Value>> = prefix
            .iter()
            .map(|item| values(item, root, depth + 1))
            .collect();
        return items.prop_map(Value::Array).boxed();
    }
    let max = if depth >= MAX_DEPTH {
        min
    } else {
        max.max(min)
    };
    let item = match schema.get("items") {
        Some(items) => values(items, root, depth + 1),
        None => any_json(),
    };
    prop::collection::vec(item, min..=max)
        .prop_map(Value::Array)
        .boxed()
}

/// Keys at the edges of integer-keyed maps' patterns, and a few ordinary ones.
const CANDIDATE_KEYS: &[&str] = &[
    "0",
    "1",
    "7",
    "00",
    "01",
    "+1",
    "-0",
    "-1",
    "-01",
    " 1",
    "1.0",
    "1e3",
    "255",
    "256",
    "-128",
    "-129",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "170141183460469231731687303715884105727",
    "-170141183460469231731687303715884105728",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "a",
    "key",
    "",
];

fn keys_matching(pattern: &str) -> Vec<String> {
    let Ok(validator) = jsonschema::validator_for(&json!({"type": "string", "pattern": pattern}))
    else {
        return Vec::new();
    };
    CANDIDATE_KEYS
        .iter()
        .filter(|key| validator.is_valid(&json!(key)))
        .map(|key| (*key).to_owned())
        .collect()
}

fn objects(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    let empty = Map::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Each property: always there if required, there or not otherwise.
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = values(property, root, depth + 1);
            let member = if required.contains(&name.as_str()) {
                value.prop_map(Some).boxed()
            } else {
                prop_oneof![3 => value.prop_map(Some), 1 => Just(None)].boxed()
            };
            member
                .prop_map(move |member| member.map(|v| (name.clone(), v)))
                .boxed()
        })
        .collect();
    // Map entries: keys matching a pattern, or free keys for an `additionalProperties` schema.
    let mut entries: Vec<BoxedStrategy<Vec<(String, Value)>>> = Vec::new();
    let most = if depth >= MAX_DEPTH { 0 } else { 3 };
    if let Some(Value::Object(patterns)) = schema.get("patternProperties") {
        for (pattern, value_schema) in patterns {
            let keys = keys_matching(pattern);
            if keys.is_empty() {
                continue;
            }
            let entry = (
                prop::sample::select(keys),
                values(value_schema, root, depth + 1),
            );
            entries.push(prop::collection::vec(entry, 0..=most).boxed());
        }
    }
    if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
        let free: Vec<String> = ["a", "b", "key 1", ""]
            .iter()
            .filter(|key| !properties.contains_key(**key))
            .map(|key| (*key).to_owned())
            .collect();
        let entry = (prop::sample::select(free), values(extra, root, depth + 1));
        entries.push(prop::collection::vec(entry, 0..=most).boxed());
    }
    (members, entries)
        .prop_map(|(members, entries)| {
            let mut object: Map<String, Value> = entries.into_iter().flatten().collect();
            object.extend(members.into_iter().flatten());
            Value::Object(object)
        })
        .boxed()
}
