//! Dispatch over a catalogue of rich signatures (`tool_runtime_fuzz::catalogue`): any
//! batch of calls with any arguments never panics and gives one output per call, in
//! order; and the schema differential: arguments that validate against the tool's
//! exported plain schema (the `jsonschema` crate) are never refused as `invalid
//! arguments`, since that schema is the contract the model is given.
//!
//! The input's first byte picks the tool, the second how its arguments are made: the rest
//! as raw text (anything at all), or a value drawn along the tool's schema (mostly valid
//! arguments, for the differential).
//!
//! SCHEMA_DIFFERENTIAL: set `FUZZ_DISPATCH_DIFFERENTIAL=0` to check only the first
//! property (while a known disagreement, listed in fuzz/README.md, is being fixed).
#![no_main]

use std::sync::OnceLock;

use arbitrary::Unstructured;
use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tool_runtime::{ToolCall, ToolRegistry};
use tool_runtime_fuzz::{catalogue, schema_value};

struct Fixture {
    registry: ToolRegistry,
    /// Each tool's name, plain schema and its compiled validator.
    tools: Vec<(String, Value, jsonschema::Validator)>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let registry = catalogue::registry();
        let tools = registry
            .definitions()
            .map(|definition| {
                let schema = definition.parameters().clone();
                let validator = jsonschema::validator_for(&schema).unwrap_or_else(|error| {
                    panic!("{}: schema compiles: {error}", definition.name())
                });
                (definition.name().to_owned(), schema, validator)
            })
            .collect();
        Fixture { registry, tools }
    })
}

fn differential() -> bool {
    std::env::var_os("FUZZ_DISPATCH_DIFFERENTIAL").is_none_or(|value| value != "0")
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let [pick, mode, rest @ ..] = data else {
        return;
    };
    let (name, schema, validator) = &fixture.tools[usize::from(*pick) % fixture.tools.len()];
    let arguments = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let mut u = Unstructured::new(rest);
        match schema_value::for_schema(&mut u, schema, schema, 0) {
            Ok(value) => value.to_string(),
            Err(_) => return,
        }
    };
    // The same call twice, and one of an unknown tool: one output each, in order.
    let calls = [
        ToolCall::new("a", name.as_str(), arguments.as_str()),
        ToolCall::new("b", "no_such_tool", "{}"),
        ToolCall::new("c", name.as_str(), arguments.as_str()),
    ];
    let outputs = block_on(fixture.registry.dispatch_all(&calls));
    assert_eq!(outputs.len(), calls.len(), "one output per call");
    for (call, output) in calls.iter().zip(&outputs) {
        assert_eq!(output.tool_call_id, call.id, "outputs in the calls' order");
    }
    assert_eq!(
        outputs[0].content, outputs[2].content,
        "the same call, the same output"
    );
    assert!(outputs[1].is_error);

    if !differential() {
        return;
    }
    let Ok(value) = serde_json::from_str::<Value>(&arguments) else {
        return;
    };
    // The one known gap (docs/design.md, "Schemas"): a map keyed by `u8`, `u16`, `i8` or
    // `i16` is described with 32-bit keys, since schemars writes one key pattern for every
    // width; dispatch refuses a key past the type's width, naming its path.
    let narrow_key = outputs[0].content.contains("by_byte.")
        && outputs[0].content.contains("invalid value: integer");
    if validator.is_valid(&value) && outputs[0].is_error && !narrow_key {
        panic!(
            "schema differential: `{name}` refused arguments its schema accepts\n\
             arguments: {arguments}\noutput: {}\nschema: {schema}",
            outputs[0].content
        );
    }
});
