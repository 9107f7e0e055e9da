//! `ToolFormat::parse_calls` for every format on any JSON: no panic, and the calls it
//! returns take outputs back: `render_outputs` accepts an output per call (success or
//! failure) and names each call's id (or, for Gemini's local ids, its name; MCP's results
//! name no call, so there it gives one result per call).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tool_runtime::{ToolFormat, ToolOutput};
use tool_runtime_fuzz::json;

/// The keys and values of the providers' replies (docs/providers.md).
const VOCABULARY: &[&str] = &[
    "choices",
    "message",
    "tool_calls",
    "function",
    "name",
    "arguments",
    "id",
    "type",
    "index",
    "content",
    "role",
    "assistant",
    "output",
    "function_call",
    "call_id",
    "tool_use",
    "input",
    "text",
    "candidates",
    "parts",
    "functionCall",
    "args",
    "params",
    "method",
    "tools/call",
    "jsonrpc",
    "2.0",
    "result",
    "thoughtSignature",
    "finish_reason",
    "stop_reason",
    "",
];

/// Every string in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let reply = json::value(data, VOCABULARY);
    for format in ToolFormat::ALL {
        let Ok(calls) = format.parse_calls(&reply) else {
            continue;
        };
        let outputs: Vec<ToolOutput> = calls
            .iter()
            .enumerate()
            .map(|(i, call)| {
                if i % 2 == 0 {
                    ToolOutput::success(call, "ok")
                } else {
                    ToolOutput::error(call, "failed")
                }
            })
            .collect();
        let rendered = match format.render_outputs(&calls, &outputs) {
            Ok(rendered) => rendered,
            Err(error) => panic!("{format}: the parsed calls' outputs do not render: {error}"),
        };
        if format == ToolFormat::Mcp {
            // A `tools/call` result names no call (JSON-RPC's response id does): one each.
            let results = rendered.as_array().map_or(0, Vec::len);
            assert_eq!(results, calls.len(), "mcp: one result per call");
            continue;
        }
        let mut said = Vec::new();
        strings(&rendered, &mut said);
        for call in &calls {
            let local = call.id.starts_with(ToolFormat::LOCAL_CALL_ID_PREFIX);
            let named = if matches!(format, ToolFormat::Gemini | ToolFormat::GeminiOpenApi) && local
            {
                &call.name
            } else {
                &call.id
            };
            assert!(
                said.contains(named),
                "{format}: the output of {call:?} does not name it"
            );
        }
    }
});
