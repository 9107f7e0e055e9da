//! Serves OpenAI's Assistants v2 API (`/v1/assistants`, `/v1/threads`, runs, run steps,
//! streaming) over any OpenAI-compatible chat model, with the task planner's tools as the
//! server's own: code written for the Assistants API runs against it by changing its
//! `base_url` and `api_key`.
//!
//! ```text
//! cargo run --example assistants_server -- --addr 127.0.0.1:8080 --api-key KEY --db assistants.db
//! cargo run --example assistants_server -- --api-key KEY --db :memory:
//! ```
//!
//! The upstream model is the one `OPENAI_BASE_URL` / `OPENAI_API_KEY` / `OPENAI_MODEL` name
//! (OpenAI, Ollama, vLLM, llama.cpp's server), or with none of the first two set, the local
//! model, as the task planner picks it. Every run uses that model, whatever model name its
//! assistant carries (old code says `gpt-4-1106-preview`); the startup log says which.
//!
//! An assistant enables the server's tools by naming them in its metadata:
//! `metadata={"server_tools": "add_task,get_tasks"}` (or `"*"`); `delete_all_tasks` then
//! pauses the run in `requires_action` until the client submits `approve` for it.
//! docs/assistants-server.md has the rest.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use examples::{tasks, upstream};
use tool_runtime::server::{AssistantsServer, SqliteStore, Store};

const USAGE: &str = "\
Usage: assistants_server --api-key KEY [--addr ADDR] [--db PATH] [--tasks-db PATH] [--max-turns N]

  --api-key KEY     the key clients send (Authorization: Bearer KEY); else $ASSISTANTS_API_KEY
  --addr ADDR       where to listen (default 127.0.0.1:8080; port 0 picks one)
  --db PATH         the server's store: assistants, threads, messages, runs (default
                    ./assistants.db; :memory: for one that lasts as long as the server)
  --tasks-db PATH   the task planner's tasks, the server tools' data (default ./tasks.db;
                    :memory: likewise)
  --max-turns N     model requests per run before it ends incomplete (default 10)

The upstream model: OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL, else the local model.";

/// What the command line asks for.
struct Options {
    addr: SocketAddr,
    api_key: String,
    db: String,
    tasks_db: PathBuf,
    max_turns: u32,
}

fn parse(
    args: impl IntoIterator<Item = String>,
    env_key: Option<String>,
) -> Result<Options, String> {
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut api_key = env_key.filter(|key| !key.is_empty());
    let mut db = "assistants.db".to_owned();
    let mut tasks_db = PathBuf::from(tasks::DEFAULT_DB);
    let mut max_turns = 10;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => addr = value("--addr")?,
            "--api-key" => api_key = Some(value("--api-key")?),
            "--db" => db = value("--db")?,
            "--tasks-db" => tasks_db = value("--tasks-db")?.into(),
            "--max-turns" => {
                let turns = value("--max-turns")?;
                max_turns = turns
                    .parse()
                    .map_err(|e| format!("--max-turns {turns}: {e}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => return Err(format!("unknown argument {arg}\n\n{USAGE}")),
        }
    }
    let addr = addr
        .parse()
        .map_err(|e| format!("--addr {addr}: {e} (e.g. 127.0.0.1:8080)"))?;
    let api_key = api_key.filter(|key| !key.is_empty()).ok_or(format!(
        "--api-key is needed: clients must authenticate\n\n{USAGE}"
    ))?;
    Ok(Options {
        addr,
        api_key,
        db,
        tasks_db,
        max_turns,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(
        std::env::args().skip(1),
        std::env::var("ASSISTANTS_API_KEY").ok(),
    ) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let store: Arc<dyn Store> = match if options.db == ":memory:" {
        SqliteStore::in_memory()
    } else {
        SqliteStore::open(&options.db)
    } {
        Ok(store) => Arc::new(store),
        Err(error) => {
            eprintln!("could not open the store {}: {error}", options.db);
            return ExitCode::FAILURE;
        }
    };
    let tasks = match tasks::Store::open(&options.tasks_db) {
        Ok(tasks) => tasks,
        Err(error) => {
            eprintln!(
                "could not open the task database {}: {error}",
                options.tasks_db.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let registry = match tasks::registry(tasks) {
        Ok(registry) => registry,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let (model, about) = match upstream::pick_model("assistants_server -- --api-key KEY").await {
        Ok(picked) => picked,
        Err(help) => {
            eprintln!("{help}");
            return ExitCode::FAILURE;
        }
    };
    let tools: Vec<&str> = registry.names().collect();
    let tools = tools.join(", ");
    let server = AssistantsServer::from_shared(model, store, options.api_key)
        .with_registry(registry)
        .with_max_turns(options.max_turns)
        .serve(options.addr)
        .await;
    let server = match server {
        Ok(server) => server,
        Err(error) => {
            eprintln!("could not serve on {}: {error}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "assistants_server: serving the Assistants API at {} (store: {})",
        server.url(),
        options.db
    );
    eprintln!("assistants_server: upstream model {about}; every run uses it, whatever model its assistant names");
    if upstream::is_set("OPENAI_MODEL") {
        eprintln!("assistants_server: OPENAI_MODEL is set, so assistants created with model \"gpt-4-1106-preview\" (say) run on it too");
    }
    eprintln!("assistants_server: server tools (enable with metadata {{\"server_tools\": \"NAME,...\"}} or \"*\"): {tools}");
    match server.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("the server failed: {error}");
            ExitCode::FAILURE
        }
    }
}
