//! Any MCP server's tools, through `tool_runtime::mcp_client`: listed as they would be
//! exported for a provider, called one at a time, or given to the assistant loop.
//!
//! ```text
//! cargo run --example mcp_client -- --stdio 'npx -y @modelcontextprotocol/server-everything' list --format anthropic
//! cargo run --example mcp_client -- --stdio 'npx -y @modelcontextprotocol/server-everything' call get-sum '{"a": 2, "b": 3}'
//! cargo run --example mcp_client -- --http http://127.0.0.1:8080/mcp --header 'Authorization: Bearer x' list
//! cargo run --example mcp_client -- --stdio 'python3 server.py' chat "What is 2 plus 3?"
//! ```

use std::process::ExitCode;

use examples::mcp_cli::{self, Command, USAGE};
use examples::{tasks, upstream};
use tool_runtime::live::LiveRegistry;
use tool_runtime::run::{Assistant, RunStatus};
use tool_runtime::ToolRegistry;

async fn run() -> Result<ExitCode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let options = mcp_cli::parse(args).map_err(|error| format!("{error}\n\n{USAGE}"))?;
    let tools = options
        .source
        .connect()
        .await
        .map_err(|error| error.to_string())?;
    let code = match options.command {
        Command::List { format, form } => {
            println!("{}", mcp_cli::list(&tools, format, form));
            ExitCode::SUCCESS
        }
        Command::Call { name, arguments } => {
            let output = mcp_cli::call(&tools, &name, &arguments).await;
            println!(
                "{}",
                serde_json::to_string(&output).map_err(|error| error.to_string())?
            );
            if output.is_error {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Chat { message } => {
            let (model, about) = upstream::pick_model("mcp_client -- --stdio '...' chat").await?;
            eprintln!("model: {about}");
            let live = LiveRegistry::new(ToolRegistry::new());
            eprintln!("{}", tools.attach(&live));
            let assistant = Assistant::from_live(model, live);
            let mut approve = tasks::ask_on_terminal;
            let run = tasks::chat(&assistant, &message, &mut approve, &mut std::io::stdout())
                .await
                .map_err(|error| format!("chat failed: {error}"))?;
            if run.status() == RunStatus::Completed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    };
    tools.close().await;
    Ok(code)
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|error| {
        eprintln!("{error}");
        ExitCode::from(2)
    })
}
