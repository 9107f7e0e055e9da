//! The task planner (docs/examples.md), with tools derived from documented Rust functions over a
//! SQLite file instead of hand-written (or LLM-generated) JSON, and `delete_all_tasks`
//! behind a person's confirmation.
//!
//! ```text
//! cargo run --example task_planner -- chat "I need to go buy bread from the store, then go to the gym. I also need to do my taxes, which is a P1."
//! cargo run --example task_planner -- chat "I bought the bread. Also the gym is a P1"
//! cargo run --example task_planner -- chat --summary "What is left to do?"
//! cargo run --example task_planner -- chat --record run.json "Add a task: buy bread."
//! cargo run --example task_planner -- tools
//! cargo run --example task_planner -- --db /tmp/tasks.db call add_task '{"name": "Buy bread"}'
//! cargo run --example task_planner -- --db /tmp/tasks.db call get_tasks ''
//! ```
//!
//! `chat` talks to `OPENAI_BASE_URL`/`OPENAI_API_KEY`/`OPENAI_MODEL` when either of the
//! first two is set (OpenAI, Ollama, vLLM, llama.cpp), and otherwise to the small local
//! model that `scripts/local-model.sh start` runs (setting it up the first time).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use std::sync::Arc;

use tool_runtime::chat::ChatModel;
use tool_runtime::run::{RunStatus, RunStep};
use tool_runtime::testing::Recorder;

use examples::tasks::{self, Command, Store};
use examples::upstream;

/// Prints a line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn open(path: &Path) -> Result<Store, ExitCode> {
    Store::open(path).map_err(|error| {
        eprintln!(
            "could not open the task database {}: {error}",
            path.display()
        );
        ExitCode::FAILURE
    })
}

async fn chat(
    store: Store,
    message: &str,
    db: &Path,
    summary: bool,
    record: Option<&Path>,
) -> Result<ExitCode, ExitCode> {
    let (model, about) = upstream::pick_model(r#"task_planner -- chat "...""#)
        .await
        .map_err(|help| {
            eprintln!("{help}");
            ExitCode::FAILURE
        })?;
    eprintln!("model: {about}; tasks: {}", db.display());
    // The recorder sits between the loop and the model, and writes the file after each
    // exchange: an interrupted chat leaves the exchanges so far.
    let recorder =
        record.map(|path| Arc::new(Recorder::from_shared(model.clone()).with_file(path)));
    let model: Arc<dyn ChatModel> = match &recorder {
        Some(recorder) => recorder.clone(),
        None => model,
    };
    let assistant = tasks::assistant(model, &store).map_err(|error| {
        eprintln!("{error}");
        ExitCode::FAILURE
    })?;
    let mut approve = tasks::ask_on_terminal;
    let run = tasks::chat(&assistant, message, &mut approve, &mut std::io::stdout())
        .await
        .map_err(|error| {
            eprintln!("chat failed: {error}");
            ExitCode::FAILURE
        })?;
    // What the list is now, when the run touched it.
    let used_tools = run
        .steps()
        .iter()
        .any(|step| matches!(step, RunStep::ToolCalls { .. }));
    if used_tools {
        match store.list(false) {
            Ok(open) if open.is_empty() => say("\nNo open tasks."),
            Ok(open) => {
                say("\nOpen tasks:");
                for task in open {
                    say(&format!("  {}  P{}  {}", task.id, task.priority, task.name));
                }
            }
            Err(error) => eprintln!("could not list the tasks: {error}"),
        }
    }
    if summary {
        // Best effort, as `say`: a closed pipe loses the summary, not the run.
        let _ = tasks::print_summary(&run, &mut std::io::stdout().lock());
    }
    if let (Some(recorder), Some(path)) = (&recorder, record) {
        if let Some(error) = recorder.write_error() {
            eprintln!("{error}");
            return Err(ExitCode::FAILURE);
        }
        let exchanges = recorder.recording().exchanges().len();
        eprintln!("recorded {exchanges} model exchanges in {}", path.display());
    }
    Ok(if run.status() == RunStatus::Completed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn run() -> Result<ExitCode, ExitCode> {
    let cli = tasks::parse_cli(std::env::args().skip(1), std::env::var("TASKS_DB").ok()).map_err(
        |error| {
            eprintln!("{error}\n\n{}", tasks::USAGE);
            ExitCode::from(2)
        },
    )?;
    match cli.command {
        Command::Help => {
            say(tasks::USAGE);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { plain } => {
            // The definitions need no database: an empty one in memory will do.
            let store = Store::in_memory().map_err(|error| {
                eprintln!("{error}");
                ExitCode::FAILURE
            })?;
            let registry = tasks::registry(store).map_err(|error| {
                eprintln!("{error}");
                ExitCode::FAILURE
            })?;
            say(&tasks::tools_json(&registry, plain));
            Ok(ExitCode::SUCCESS)
        }
        Command::Call { name, arguments } => {
            let registry = tasks::registry(open(&cli.db)?).map_err(|error| {
                eprintln!("{error}");
                ExitCode::FAILURE
            })?;
            let output = tasks::call(&registry, &name, &arguments).await;
            if output.is_error {
                eprintln!("{}", output.content);
                Ok(ExitCode::FAILURE)
            } else {
                say(&output.content);
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Chat {
            message,
            summary,
            record,
        } => {
            chat(
                open(&cli.db)?,
                &message,
                &cli.db,
                summary,
                record.as_deref(),
            )
            .await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
