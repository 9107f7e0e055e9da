//! Which model an example talks to: the endpoint `OPENAI_BASE_URL` / `OPENAI_API_KEY` /
//! `OPENAI_MODEL` name, or else the small local model `scripts/local-model.sh` runs
//! (the task planner and the Assistants server pick it the same way).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tool_runtime::chat::ChatModel;
use tool_runtime::openai::OpenAiClient;
use tool_runtime::transport::ClientConfig;

/// Where `scripts/local-model.sh start` serves, unless it says otherwise.
const LOCAL_BASE_URL: &str = "http://127.0.0.1:8090/v1";
/// The name the local server answers to.
const LOCAL_MODEL: &str = "qwen2.5-coder-0.5b";

/// The repository's `scripts/local-model.sh`.
pub fn local_model_script() -> PathBuf {
    // The repository's `scripts/`, next to this package.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/local-model.sh")
}

/// Whether the environment variable `name` is set and not empty.
pub fn is_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty())
}

/// How to get a model, after what went wrong; `command` is how the example is run, after
/// `cargo run --example `.
fn setup_help(problem: &str, command: &str) -> String {
    format!(
        "{problem}

This needs an OpenAI-compatible model. Either
  - set up the local model once (Linux x86_64 or arm64; about 3 minutes on 2 cores: compiles
    llama.cpp's llama-server against its prebuilt libraries and fetches Qwen2.5-Coder-0.5B
    into a cache outside the repository), then run it again:
        {script} setup
  - or use OpenAI:
        OPENAI_API_KEY=sk-... OPENAI_MODEL=gpt-4o-mini cargo run --example {command}
  - or a local Ollama (after `ollama pull qwen2.5-coder:0.5b`):
        OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=qwen2.5-coder:0.5b cargo run --example {command}",
        script = local_model_script().display(),
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

/// The model to talk to, and a line saying which it is: `OPENAI_BASE_URL` /
/// `OPENAI_API_KEY` / `OPENAI_MODEL` when either of the first two is set, otherwise the
/// local model (`scripts/local-model.sh start`, which sets it up the first time). On
/// failure, what went wrong and how to get a model; `command` is how the example is run,
/// after `cargo run --example `, for that help.
pub async fn pick_model(command: &str) -> Result<(Arc<dyn ChatModel>, String), String> {
    let (client, about) = pick_client(command).await?;
    Ok((Arc::new(client), about))
}

/// The client [`pick_model`] picks, as an [`OpenAiClient`], for a caller that adjusts its
/// configuration (the `eval` example sets its schema form).
pub async fn pick_client(command: &str) -> Result<(OpenAiClient, String), String> {
    if is_set("OPENAI_BASE_URL") || is_set("OPENAI_API_KEY") {
        let client =
            OpenAiClient::from_env().map_err(|error| setup_help(&error.to_string(), command))?;
        let about = format!(
            "{} at {}",
            client.config().model(),
            client.config().base_url()
        );
        return Ok((client, about));
    }
    let script = local_model_script();
    if !script.is_file() {
        return Err(setup_help(&format!(
            "No OPENAI_BASE_URL or OPENAI_API_KEY is set, and the local model's script {} is missing.",
            script.display()
        ), command));
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
        .map_err(|error| setup_help(&error, command))?;
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
    Ok((client, about))
}
