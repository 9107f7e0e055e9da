//! Serves the task planner's tools to any MCP client: over stdio (the default; the client
//! starts this program) or over streamable HTTP.
//!
//! ```text
//! cargo run --example mcp_server                                  # stdio, ./tasks.db
//! cargo run --example mcp_server -- --http 127.0.0.1:8000         # http://127.0.0.1:8000/mcp
//! cargo run --example mcp_server -- --db /tmp/tasks.db --allow-destructive
//! npx @modelcontextprotocol/inspector cargo run --example mcp_server
//! ```
//!
//! The tasks are the task planner's (`--db`, else `$TASKS_DB`, else `./tasks.db`;
//! `:memory:` for a list that ends with the server), so `cargo run --example task_planner`
//! sees what an MCP client did. `delete_all_tasks` is destructive: it is served only with
//! `--allow-destructive`, and then the client is the one to ask the user first.
//! Messages go to stderr: on stdio, stdout is the protocol's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use examples::tasks;
use tool_runtime::mcp::{McpServer, DEFAULT_MAX_REQUEST_BYTES};

const USAGE: &str = "\
Usage: mcp_server [--http ADDR] [--db PATH] [--allow-destructive] [--max-request-bytes N]

  --http ADDR            serve streamable HTTP on ADDR (e.g. 127.0.0.1:8000; port 0 picks
                         one) at /mcp, instead of stdio
  --db PATH              the tasks database (else $TASKS_DB, else ./tasks.db; :memory: for
                         one that lasts as long as the server)
  --allow-destructive    also serve the tools that need the user's approval
                         (delete_all_tasks); the client must ask before calling them
  --max-request-bytes N  refuse larger requests (default 4194304)";

/// What the command line asks for.
struct Options {
    http: Option<SocketAddr>,
    db: PathBuf,
    allow_destructive: bool,
    max_request_bytes: usize,
}

/// Reads the arguments (without the program name); `tasks_db` is `$TASKS_DB`.
fn parse(
    args: impl IntoIterator<Item = String>,
    tasks_db: Option<String>,
) -> Result<Options, String> {
    let mut options = Options {
        http: None,
        db: PathBuf::from(
            tasks_db
                .filter(|path| !path.trim().is_empty())
                .unwrap_or_else(|| tasks::DEFAULT_DB.to_owned()),
        ),
        allow_destructive: false,
        max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--http" => {
                let addr = value("--http")?;
                let addr = addr
                    .parse()
                    .map_err(|e| format!("--http {addr}: {e} (e.g. 127.0.0.1:8000)"))?;
                options.http = Some(addr);
            }
            "--db" => options.db = value("--db")?.into(),
            "--allow-destructive" => options.allow_destructive = true,
            "--max-request-bytes" => {
                let bytes = value("--max-request-bytes")?;
                options.max_request_bytes = bytes
                    .parse()
                    .map_err(|e| format!("--max-request-bytes {bytes}: {e}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => return Err(format!("unknown argument {arg}\n\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1), std::env::var("TASKS_DB").ok()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match serve(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mcp_server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(options: Options) -> Result<(), String> {
    let store = tasks::Store::open(&options.db)
        .map_err(|e| format!("opening {}: {e}", options.db.display()))?;
    let registry = tasks::registry(store).map_err(|e| e.to_string())?;
    let server = McpServer::new(registry)
        .with_name("task-planner", "0.1.0")
        .with_instructions(
            "The user's task list. Task ids look like t-3: get_tasks lists them. \
             A task is done with complete_task; remove_task is for a task added by mistake.",
        )
        .allow_destructive(options.allow_destructive)
        .with_max_request_bytes(options.max_request_bytes);
    let names: Vec<String> = server
        .tools()
        .iter()
        .filter_map(|tool| tool["name"].as_str().map(str::to_owned))
        .collect();
    eprintln!(
        "mcp_server: tools {} (tasks in {}{})",
        names.join(", "),
        options.db.display(),
        if options.allow_destructive {
            ""
        } else {
            "; --allow-destructive serves delete_all_tasks too"
        }
    );
    match options.http {
        Some(addr) => {
            let running = server
                .serve_http(addr)
                .await
                .map_err(|e| format!("serving on {addr}: {e}"))?;
            eprintln!("mcp_server: listening on {}", running.url());
            running.wait().await.map_err(|e| e.to_string())
        }
        None => server.serve_stdio().await.map_err(|e| e.to_string()),
    }
}
