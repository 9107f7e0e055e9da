//! The task planner (docs/examples.md), with tools derived from documented Rust functions over a
//! SQLite file instead of hand-written (or LLM-generated) JSON, and `delete_all_tasks`
//! behind a person's confirmation.
//!
//! ```text
//! cargo run --example task_planner -- chat "I need to go buy bread from the store, then go to the gym. I also need to do my taxes, which is a P1."
//! cargo run --example task_planner -- chat "I bought the bread. Also the gym is a P1"
//! cargo run --example task_planner -- tools
//! cargo run --example task_planner -- --db /tmp/tasks.db call add_task '{"name": "Buy bread"}'
//! cargo run --example task_planner -- --db /tmp/tasks.db call get_tasks ''
//! ```
//!
//! `chat` talks to `OPENAI_BASE_URL`/`OPENAI_API_KEY`/`OPENAI_MODEL` when either of the
//! first two is set (OpenAI, Ollama, vLLM, llama.cpp), and otherwise to the small local
//! model that `scripts/local-model.sh start` runs (setting it up the first time).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tool_runtime::chat::ChatModel;
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::{RunStatus, RunStep};
use tool_runtime::transport::ClientConfig;
use tool_runtime::ToolCall;

use examples::tasks::{self, Command, Store};

/// Where `scripts/local-model.sh start` serves, unless it says otherwise.
const LOCAL_BASE_URL: &str = "http://127.0.0.1:8090/v1";
/// The name the local server answers to.
const LOCAL_MODEL: &str = "qwen2.5-coder-0.5b";

fn local_model_script() -> PathBuf {
    // The repository's `scripts/`, next to this package.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/local-model.sh")
}

fn is_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty())
}

/// How to get a model, after what went wrong.
fn setup_help(problem: &str) -> String {
    format!(
        "{problem}

chat needs an OpenAI-compatible model. Either
  - set up the local model once (Linux x86_64 or arm64; about 3 minutes on 2 cores: compiles
    llama.cpp's llama-server against its prebuilt libraries and fetches Qwen2.5-Coder-0.5B
    into a cache outside the repository), then run chat again:
        {script} setup
  - or use OpenAI:
        OPENAI_API_KEY=sk-... OPENAI_MODEL=gpt-4o-mini cargo run --example task_planner -- chat \"...\"
  - or a local Ollama (after `ollama pull qwen2.5-coder:0.5b`):
        OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=qwen2.5-coder:0.5b cargo run --example task_planner -- chat \"...\"",
        script = local_model_script().display()
    )
}

/// Runs the local-model script with `command`: its progress goes to our stderr, its
/// stdout comes back.
async fn local_model(command: &'static str) -> Result<String, String> {
    let script = local_model_script();
    let shown = format!("{} {command}", script.display());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg(&script)
            .arg(command)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
    })
    .await
    .map_err(|error| format!("{shown} did not finish: {error}"))?
    .map_err(|error| format!("could not run {shown}: {error}"))?;
    if !output.status.success() {
        return Err(format!("{shown} failed ({})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The model `chat` talks to, and a line saying which it is.
async fn pick_model() -> Result<(Arc<dyn ChatModel>, String), String> {
    if is_set("OPENAI_BASE_URL") || is_set("OPENAI_API_KEY") {
        let client = OpenAiClient::from_env().map_err(|error| setup_help(&error.to_string()))?;
        let about = format!(
            "{} at {}",
            client.config().model(),
            client.config().base_url()
        );
        return Ok((Arc::new(client), about));
    }
    let script = local_model_script();
    if !script.is_file() {
        return Err(setup_help(&format!(
            "No OPENAI_BASE_URL or OPENAI_API_KEY is set, and the local model's script {} is missing.",
            script.display()
        )));
    }
    let status = local_model("status").await.unwrap_or_default();
    if status.contains("set up: no") {
        eprintln!(
            "No OPENAI_BASE_URL or OPENAI_API_KEY is set: setting up the local model first \
             ({} setup, about 3 minutes on 2 cores, once). Interrupt it to use another endpoint instead \
             (see --help).",
            script.display()
        );
    } else {
        eprintln!("No OPENAI_BASE_URL or OPENAI_API_KEY is set: using the local model.");
    }
    let printed = local_model("start")
        .await
        .map_err(|error| setup_help(&error))?;
    // The script ends with `OPENAI_BASE_URL=... OPENAI_MODEL=... OPENAI_API_KEY=local`.
    let var = |name: &str| {
        printed
            .split_whitespace()
            .filter_map(|word| word.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    let base_url = var("OPENAI_BASE_URL").unwrap_or_else(|| LOCAL_BASE_URL.to_owned());
    let model = var("OPENAI_MODEL").unwrap_or_else(|| LOCAL_MODEL.to_owned());
    // A 0.5B model on a few CPU cores reads a long prompt slowly; a retry would only
    // start that over.
    let config = ClientConfig::new(base_url, model)
        .with_timeout(Duration::from_secs(300))
        .with_retries(1);
    let client = OpenAiClient::new(config);
    let about = format!(
        "{} at {} (local)",
        client.config().model(),
        client.config().base_url()
    );
    Ok((Arc::new(client), about))
}

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

async fn chat(store: Store, message: &str, db: &Path) -> Result<ExitCode, ExitCode> {
    let (model, about) = pick_model().await.map_err(|help| {
        eprintln!("{help}");
        ExitCode::FAILURE
    })?;
    eprintln!("model: {about}; tasks: {}", db.display());
    let assistant = tasks::assistant(model, &store).map_err(|error| {
        eprintln!("{error}");
        ExitCode::FAILURE
    })?;
    let interactive = std::io::stdin().is_terminal();
    let mut approve = |call: &ToolCall| {
        // What was printed so far goes out before the question.
        let _ = std::io::stdout().flush();
        tasks::ask(
            call,
            interactive,
            &mut std::io::stdin().lock(),
            &mut std::io::stderr(),
        )
    };
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
        Command::Chat { message } => chat(open(&cli.db)?, &message, &cli.db).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    run().await.unwrap_or_else(|code| code)
}
