//! The `eval` example's logic (`examples/eval.rs`): runs an eval suite against a model
//! with an example's tools, prints the report as Markdown, saves it as JSON, compares it
//! with an earlier one, and fails on thresholds (docs/evaluation.md).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use tool_runtime::chat::{ChatModel, RequestOptions};
use tool_runtime::eval::{Comparison, Evaluator, Progress, Report, Suite, Threshold};
use tool_runtime::format::SchemaForm;

use crate::tools_cli;

/// How to use it.
pub const USAGE: &str = "\
Usage: eval SUITE --tools EXAMPLE [--form plain|strict] [--runs N] [--concurrency N]
            [--timeout SECONDS] [--compare OLD.json] [--json OUT.json] [--min METRIC=VALUE]...
            [--rescore SAVED.json --form plain|strict]

  SUITE              an eval suite (JSON; docs/evaluation.md), e.g. examples/evals/weather.json
  --tools EXAMPLE    whose tools the model is given: task_planner | weather
  --form F           the schema form the client sends: strict (the declared one) or plain;
                     default: the client's choice by endpoint (plain but for OpenAI's)
  --runs N           run each case N times (default 1, at most 1000)
  --concurrency N    at most N requests at once (default 4)
  --timeout SECONDS  per request, after which the run counts as failed (default 120)
  --compare OLD.json also print a comparison with a report saved with --json
  --json OUT.json    save the report as JSON
  --min METRIC=VALUE exit with code 1 when METRIC is below VALUE (0 to 1); repeatable.
                     Metrics: correct, right_tool, arguments_parse, arguments_valid,
                     correct_arguments, no_call
  --rescore SAVED    ask no model: score the replies of a report saved with --json against
                     SUITE again (after editing its checks), with --form the form they
                     were asked in

The model: OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL when either of the first two is
set, otherwise the local model (scripts/local-model.sh), as the task planner picks it.
Exit codes: 0 done, 1 a threshold is not met, 2 a usage, suite or model setup error.";

/// The most runs per case `--runs` takes: a typo of a few zeros should not send a million
/// requests per case (or hold a report of them).
pub const MAX_RUNS: u32 = 1000;

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub struct Cli {
    /// The suite's file.
    pub suite: PathBuf,
    /// Whose tools: `task_planner` or `weather`.
    pub tools: String,
    /// The schema form to send; `None`: the client's choice.
    pub form: Option<SchemaForm>,
    /// Runs per case.
    pub runs: u32,
    /// Requests at once.
    pub concurrency: usize,
    /// Per request.
    pub timeout: Duration,
    /// A report to compare with.
    pub compare: Option<PathBuf>,
    /// Where to save the report.
    pub json: Option<PathBuf>,
    /// The thresholds.
    pub min: Vec<Threshold>,
    /// A saved report whose replies are scored again, instead of asking a model.
    pub rescore: Option<PathBuf>,
    /// `--help`.
    pub help: bool,
}

/// Reads the arguments (without the program name).
pub fn parse_cli(args: impl IntoIterator<Item = String>) -> Result<Cli, String> {
    let mut args = args.into_iter();
    let mut suite = None;
    let mut cli = Cli {
        suite: PathBuf::new(),
        tools: String::new(),
        form: None,
        runs: 1,
        concurrency: tool_runtime::eval::DEFAULT_CONCURRENCY,
        timeout: tool_runtime::eval::DEFAULT_TIMEOUT,
        compare: None,
        json: None,
        min: Vec::new(),
        rescore: None,
        help: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                cli.help = true;
                return Ok(cli);
            }
            "--tools" => cli.tools = value("--tools")?,
            "--form" => {
                cli.form = Some(match value("--form")?.as_str() {
                    "strict" => SchemaForm::Declared,
                    "plain" => SchemaForm::Plain,
                    other => return Err(format!("--form is strict or plain, not {other:?}")),
                })
            }
            "--runs" => {
                cli.runs = value("--runs")?
                    .parse()
                    .ok()
                    .filter(|runs| (1..=MAX_RUNS).contains(runs))
                    .ok_or(format!("--runs needs a whole number from 1 to {MAX_RUNS}"))?
            }
            "--concurrency" => {
                cli.concurrency = value("--concurrency")?
                    .parse()
                    .ok()
                    .filter(|limit| *limit > 0)
                    .ok_or("--concurrency needs a whole number above 0")?
            }
            "--timeout" => {
                let seconds: f64 = value("--timeout")?
                    .parse()
                    .ok()
                    .filter(|seconds: &f64| seconds.is_finite() && *seconds > 0.0)
                    .ok_or("--timeout needs a number of seconds above 0")?;
                cli.timeout = Duration::try_from_secs_f64(seconds)
                    .map_err(|_| "--timeout is too long".to_owned())?;
            }
            "--compare" => cli.compare = Some(value("--compare")?.into()),
            "--json" => cli.json = Some(value("--json")?.into()),
            "--min" => cli.min.push(value("--min")?.parse()?),
            "--rescore" => cli.rescore = Some(value("--rescore")?.into()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if suite.is_none() => suite = Some(PathBuf::from(arg)),
            _ => return Err(format!("one SUITE only, got also {arg:?}")),
        }
    }
    cli.suite = suite.ok_or("which SUITE?")?;
    if cli.tools.is_empty() {
        return Err("--tools is needed: task_planner or weather".into());
    }
    if cli.rescore.is_some() && cli.form.is_none() {
        return Err("--rescore needs --form: the form the saved replies were asked in".into());
    }
    Ok(cli)
}

/// The form's name on the command line.
pub fn form_name(form: SchemaForm) -> &'static str {
    match form {
        SchemaForm::Declared => "strict",
        SchemaForm::Plain => "plain",
    }
}

/// How each request is sent: as the task planner sends its own (temperature 0, replies
/// long enough for a few parallel calls).
pub fn request_options() -> RequestOptions {
    RequestOptions::default()
        .with_max_tokens(300)
        .with_parallel_tool_calls(true)
        .with_temperature(0.0)
}

/// What went wrong, and the exit code it means.
#[derive(Debug)]
pub struct Failure {
    /// What to print on stderr.
    pub message: String,
    /// 1: a threshold is not met; 2: the suite, a file or the setup is wrong.
    pub code: u8,
}

impl Failure {
    fn setup(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 2,
        }
    }
}

/// Where the replies come from: a model, or a saved report (`--rescore`).
#[derive(Clone, Copy)]
pub enum Replies<'a> {
    /// Ask this model, sending tools in this form; the label names it in the report.
    Model(&'a dyn ChatModel, SchemaForm, &'a str),
    /// Score the replies of the report `--rescore` names again, in `--form`.
    Saved,
}

impl std::fmt::Debug for Replies<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Replies::Model(_, form, label) => write!(f, "Model({form:?}, {label:?})"),
            Replies::Saved => f.write_str("Saved"),
        }
    }
}

/// A report saved with `--json`.
fn load_report(path: &std::path::Path) -> Result<Report, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::setup(format!("could not read {}: {error}", path.display())))?;
    Report::from_json(&text).map_err(|error| {
        Failure::setup(format!("{} is not a saved report: {error}", path.display()))
    })
}

/// Runs `cli`'s suite (against a model, or on saved replies), writes the report (and the
/// comparison) as Markdown to `out`, saves the JSON, and checks the thresholds.
/// `progress` sees each finished run.
pub async fn run(
    cli: &Cli,
    replies: Replies<'_>,
    out: &mut impl Write,
    progress: impl FnMut(&Progress),
) -> Result<(), Failure> {
    let suite = Suite::load(&cli.suite).map_err(|error| Failure::setup(error.to_string()))?;
    let registry = tools_cli::registry(&cli.tools).map_err(Failure::setup)?;
    // Read before the run, which may take long: a wrong path fails at once.
    let old = cli.compare.as_deref().map(load_report).transpose()?;
    let report = match (replies, &cli.rescore) {
        (Replies::Model(model, form, label), _) => {
            Evaluator::new(model, &registry)
                .with_runs(cli.runs)
                .with_concurrency(cli.concurrency)
                .with_timeout(cli.timeout)
                .with_schema_form(form)
                .with_request(request_options())
                .with_label(label)
                .run_with_progress(&suite, progress)
                .await
        }
        (Replies::Saved, Some(saved)) => {
            load_report(saved)?.rescore(&suite, &registry, cli.form.unwrap_or_default())
        }
        (Replies::Saved, None) => {
            return Err(Failure::setup("no saved report to score (--rescore)"))
        }
    }
    .map_err(|error| Failure::setup(error.to_string()))?;
    if let Some(path) = &cli.json {
        write_atomically(path, &report.to_json()).map_err(|error| {
            Failure::setup(format!("could not write {}: {error}", path.display()))
        })?;
    }
    let mut text = report.to_markdown();
    if let Some(old) = &old {
        text.push('\n');
        text.push_str(&Comparison::new(old, &report).to_markdown());
    }
    // A closed pipe (`| head`) loses the text, not the verdict.
    let _ = out.write_all(text.as_bytes());
    let breaches = report.check(&cli.min);
    if breaches.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = breaches.iter().map(ToString::to_string).collect();
    Err(Failure {
        message: format!("thresholds not met:\n  {}", lines.join("\n  ")),
        code: 1,
    })
}

/// Writes `text` to a file beside `path`, then renames it into place: an interrupted run
/// leaves the old report or the new one, never half of one.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

/// A progress bar for a terminal, drawn over itself on one line: `[#####.....] 12/30`.
pub fn draw_progress(progress: &Progress, out: &mut impl Write) {
    const WIDTH: usize = 30;
    let filled = WIDTH
        .saturating_mul(progress.done)
        .checked_div(progress.total)
        .unwrap_or(WIDTH)
        .min(WIDTH);
    let _ = write!(
        out,
        "\r[{}{}] {}/{} runs",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        progress.done,
        progress.total
    );
    if progress.done >= progress.total {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}
