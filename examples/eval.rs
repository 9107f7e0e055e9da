//! Does a model call the example tools right? Runs an eval suite (docs/evaluation.md)
//! against an OpenAI-compatible model with the task planner's or the weather bot's tools,
//! prints the report as Markdown, and fails CI on thresholds.
//!
//! ```text
//! cargo run --example eval -- examples/evals/task_planner.json --tools task_planner --form plain --runs 3 --json plain.json
//! cargo run --example eval -- examples/evals/task_planner.json --tools task_planner --form strict --runs 3 --compare plain.json
//! cargo run --example eval -- examples/evals/weather.json --tools weather --min correct=0.8 --min no_call=0.5
//! cargo run --example eval -- examples/evals/task_planner.json --tools task_planner --rescore plain.json --form plain
//! ```
//!
//! The model is the one the task planner talks to: `OPENAI_BASE_URL` / `OPENAI_API_KEY` /
//! `OPENAI_MODEL`, or else the local model (`scripts/local-model.sh`).

use std::io::IsTerminal;
use std::process::ExitCode;

use examples::eval_cli::{self, draw_progress, form_name, parse_cli, Replies, USAGE};
use examples::upstream;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match parse_cli(std::env::args().skip(1)) {
        Ok(cli) if cli.help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("{error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cli.rescore.is_some() {
        let out = &mut std::io::stdout().lock();
        return finish(eval_cli::run(&cli, Replies::Saved, out, |_| {}).await);
    }
    let (client, about) = match upstream::pick_client("eval -- SUITE --tools EXAMPLE").await {
        Ok(picked) => picked,
        Err(help) => {
            eprintln!("{help}");
            return ExitCode::from(2);
        }
    };
    let client = match cli.form {
        Some(form) => client.map_config(|config| config.with_schema_form(form)),
        None => client,
    };
    let form = client.schema_form();
    let label = format!("{}, {} form", client.config().model(), form_name(form));
    eprintln!("model: {about}; schema form: {}", form_name(form));
    // A bar only where a person watches: piped or in CI, stderr stays clean.
    let terminal = std::io::stderr().is_terminal();
    let progress = |progress: &tool_runtime::eval::Progress| {
        if terminal {
            draw_progress(progress, &mut std::io::stderr().lock());
        }
    };
    let replies = Replies::Model(&client, form, &label);
    finish(eval_cli::run(&cli, replies, &mut std::io::stdout().lock(), progress).await)
}

/// The exit code of a run, with what went wrong on stderr.
fn finish(outcome: Result<(), eval_cli::Failure>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
