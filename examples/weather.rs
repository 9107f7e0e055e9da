//! The weather bot of the Assistants API tutorials (docs/examples.md), without the hand-written JSON and without `eval`.
//!
//! Prints the tool definitions a model is given, then runs the tool calls a model would make
//! - the "you run the function and submit the result" half of the Assistants flow:
//!
//! ```text
//! cargo run --example weather -- '{"name": "get_current_weather", "arguments": {"location": "Tokyo"}}'
//! echo '{"name": "get_nickname", "arguments": "{\"location\": \"Paris\"}"}' | cargo run --example weather
//! ```
//!
//! Each call is a JSON object with `name`, `arguments` (an object, or the JSON text a model
//! sends) and optionally `id`; several calls on stdin run concurrently, like a model's
//! parallel tool calls. Each output is printed as a JSON line, ready to submit.

use std::io::{IsTerminal, Read};

use examples::weather::{parse_calls, registry};
use tool_runtime::ToolFormat;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let registry = registry();
    let tools = registry.export(ToolFormat::OpenAiChat);
    println!(
        "{}",
        serde_json::to_string_pretty(&tools).expect("JSON values serialize")
    );

    let mut inputs: Vec<String> = std::env::args().skip(1).collect();
    if inputs.is_empty() && !std::io::stdin().is_terminal() {
        let mut text = String::new();
        if let Err(error) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("could not read stdin: {error}");
            return std::process::ExitCode::FAILURE;
        }
        inputs.push(text);
    }
    let calls = match parse_calls(&inputs) {
        Ok(calls) => calls,
        Err(error) => {
            eprintln!("{error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if calls.is_empty() {
        eprintln!("(no tool calls given; pass one as an argument, e.g. '{{\"name\": \"get_nickname\", \"arguments\": {{\"location\": \"Tokyo\"}}}}')");
    }
    for output in registry.dispatch_all(&calls).await {
        println!(
            "{}",
            serde_json::to_string(&output).expect("outputs serialize")
        );
    }
    std::process::ExitCode::SUCCESS
}
