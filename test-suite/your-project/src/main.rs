use serde::Deserialize;
use tool_runtime::chat::Message;
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::Assistant;
use tool_runtime::{ToolCall, ToolFormat, ToolRegistry, tool};

/// How to round.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Rounding {
    /// Towards zero.
    Down,
    /// Away from zero.
    Up,
}

/// Divide two numbers.
///
/// # Arguments
/// * `a` - The dividend.
/// * `b` - The divisor; not zero.
/// * `rounding` - How to round the quotient; not at all if omitted.
#[tool(read_only)]
fn divide(a: f64, b: f64, rounding: Option<Rounding>) -> Result<f64, String> {
    if b == 0.0 {
        return Err("cannot divide by zero".into());
    }
    Ok(match rounding {
        Some(Rounding::Down) => (a / b).trunc(),
        Some(Rounding::Up) => (a / b).ceil(),
        None => a / b,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut registry = ToolRegistry::new();
    registry.register(Divide)?;
    println!("{}", registry.export(ToolFormat::OpenAiChat)); // what the model is told
    let call = ToolCall::new(
        "call_1",
        "divide",
        r#"{"a": 7, "b": 2, "rounding": "down"}"#,
    );
    println!("{}", registry.dispatch(&call).await.content); // 3.0

    // The assistant loop, against OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL.
    let assistant = Assistant::new(OpenAiClient::from_env()?, registry);
    let run = assistant
        .run(vec![Message::user("What is 7 divided by 2?")].into())
        .await;
    println!("{:?}", run.answer());
    Ok(())
}
