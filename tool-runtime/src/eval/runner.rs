//! The runner: each case of a suite sent to any [`ChatModel`] with a registry's tools, once
//! or several times, a few at once, each bounded in time; every reply scored, every
//! failure recorded as that run's result.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use crate::chat::{ChatModel, ChatRequest, RequestOptions};
use crate::format::SchemaForm;
use crate::registry::ToolRegistry;

use super::check::clip;
use super::report::{CaseReport, Report, Trial};
use super::score::{failed, score, Schemas};
use super::suite::{Suite, SuiteError};

/// How long one request may take before its run counts as failed: 2 minutes, room for a
/// small model on a CPU reading a long prompt. Set with [`Evaluator::with_timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How many requests are in flight at once by default. Set with
/// [`Evaluator::with_concurrency`].
pub const DEFAULT_CONCURRENCY: usize = 4;

/// The most of a model's error message a report keeps.
const KEPT_ERROR: usize = 2048;

/// Runs a [`Suite`] against a model and a registry.
///
/// Each case's thread is sent once per run with every tool of the registry, through
/// [`ChatModel::complete`]; the reply's calls are scored, never run. A model error or a
/// timeout is that run's result (counted in `errors`, and wrong), never a panic or an
/// early end.
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::eval::{Evaluator, Metric, Suite};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Get the time in a city.
/// ///
/// /// # Arguments
/// /// * `city` - The city.
/// #[tool]
/// fn get_time(city: String) -> String { format!("noon in {city}") }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(GetTime)?;
/// let suite = Suite::from_json(r#"{"name": "time", "cases": [
///   {"id": "paris", "user": "Time in Paris?",
///    "expect": {"calls": [{"tool": "get_time", "arguments": {"city": {"equals": "Paris"}}}]}}
/// ]}"#)?;
/// // A scripted model: its first reply is right, its second names the wrong city.
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("get_time", r#"{"city": "Paris"}"#)]),
///     ScriptedReply::tool_calls([("get_time", r#"{"city": "Rome"}"#)]),
/// ]);
/// let report = Evaluator::new(&model, &registry).with_runs(2).with_concurrency(1).run(&suite).await?;
/// assert_eq!(report.summary.rate(Metric::Correct).value(), Some(0.5));
/// assert_eq!(report.summary.rate(Metric::RightTool).value(), Some(1.0));
/// println!("{}", report.to_markdown());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct Evaluator<'a> {
    model: &'a dyn ChatModel,
    registry: &'a ToolRegistry,
    runs: u32,
    concurrency: usize,
    timeout: Duration,
    form: SchemaForm,
    request: RequestOptions,
    label: String,
}

impl std::fmt::Debug for Evaluator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("runs", &self.runs)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("form", &self.form)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// One run finished, for a progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Runs finished so far, this one included.
    pub done: usize,
    /// Runs in all (cases times runs per case).
    pub total: usize,
    /// The case's id.
    pub case: String,
    /// Which run of the case.
    pub run: u32,
    /// Whether its reply was what the case expects.
    pub correct: bool,
    /// Whether it got no reply (an error or the timeout).
    pub failed: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `model` with `registry`'s tools: each case once, up to
    /// [`DEFAULT_CONCURRENCY`] requests at once, each within [`DEFAULT_TIMEOUT`], the
    /// arguments checked against the [`Plain`](SchemaForm::Plain) schemas (what the
    /// Anthropic client and the OpenAI client on any endpoint but OpenAI's send by
    /// default; set [`with_schema_form`](Self::with_schema_form) to the client's form),
    /// default request options.
    pub fn new(model: &'a dyn ChatModel, registry: &'a ToolRegistry) -> Self {
        Self {
            model,
            registry,
            runs: 1,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            form: SchemaForm::Plain,
            request: RequestOptions::default(),
            label: String::new(),
        }
    }

    /// Runs each case `runs` times (at least once): a model that samples answers
    /// differently each time needs several runs to be measured.
    pub fn with_runs(mut self, runs: u32) -> Self {
        self.runs = runs.max(1);
        self
    }

    /// Sends at most `limit` requests at once (at least one).
    pub fn with_concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// Gives each request `timeout` before its run counts as failed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks arguments against the schemas in `form`: set it to the form the model's
    /// client sends (`OpenAiClient::schema_form`), so that "valid against the exported
    /// schema" means the schema the model saw.
    pub fn with_schema_form(mut self, form: SchemaForm) -> Self {
        self.form = form;
        self
    }

    /// Sends each request with `options` (temperature, length...).
    pub fn with_request(mut self, options: RequestOptions) -> Self {
        self.request = options;
        self
    }

    /// Names what is evaluated in the report (the model, the schema form...).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Runs `suite` and reports.
    ///
    /// # Errors
    ///
    /// [`SuiteError::UnknownTools`] when cases expect tools the registry does not have,
    /// [`SuiteError::Case`] when a case checks an argument its tool does not have (a
    /// misspelt key; nothing is sent). A failing model is not an error: its runs are reported failed.
    pub async fn run(&self, suite: &Suite) -> Result<Report, SuiteError> {
        self.run_with_progress(suite, |_| {}).await
    }

    /// Runs `suite` and reports, calling `progress` as each run finishes.
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    pub async fn run_with_progress(
        &self,
        suite: &Suite,
        mut progress: impl FnMut(&Progress),
    ) -> Result<Report, SuiteError> {
        let unknown = suite.unknown_tools(self.registry);
        if !unknown.is_empty() {
            return Err(SuiteError::UnknownTools(unknown));
        }
        suite.check_arguments(self.registry)?;
        let started = Instant::now();
        let schemas = Schemas::new(self.registry, self.form);
        let cases = suite.cases();
        let total = cases.len().saturating_mul(self.runs as usize);
        let mut trials: Vec<Vec<Option<Trial>>> = vec![vec![None; self.runs as usize]; cases.len()];
        let jobs = (0..cases.len()).flat_map(|case| (0..self.runs).map(move |run| (case, run)));
        let schemas = &schemas;
        let mut finished = stream::iter(jobs)
            .map(|(index, run)| async move {
                (index, run, self.trial(&cases[index], schemas, run).await)
            })
            .buffer_unordered(self.concurrency);
        let mut done = 0usize;
        while let Some((index, run, trial)) = finished.next().await {
            done += 1;
            progress(&Progress {
                done,
                total,
                case: cases[index].id().to_owned(),
                run,
                correct: trial.correct,
                failed: trial.error.is_some(),
            });
            trials[index][run as usize] = Some(trial);
        }
        drop(finished);
        let reports = cases
            .iter()
            .zip(trials)
            .map(|(case, trials)| CaseReport {
                id: case.id().to_owned(),
                tags: case.tags().to_vec(),
                expected_tools: case.expected_tools(),
                trials: trials.into_iter().flatten().collect(),
            })
            .collect();
        Ok(Report::new(
            suite.name(),
            &self.label,
            self.runs,
            reports,
            millis(started.elapsed()),
        ))
    }

    /// One run of one case.
    async fn trial(&self, case: &super::suite::Case, schemas: &Schemas, run: u32) -> Trial {
        let request = ChatRequest::new(case.thread())
            .with_tools(self.registry)
            .with_options(self.request.clone());
        let started = Instant::now();
        let reply = tokio::time::timeout(self.timeout, self.model.complete(request)).await;
        let latency = millis(started.elapsed());
        match reply {
            Ok(Ok(reply)) => score(case, schemas, &reply, run, latency),
            Ok(Err(error)) => failed(run, latency, clip(&error.to_string(), KEPT_ERROR)),
            Err(_) => failed(
                run,
                latency,
                format!("no reply within {} ms", millis(self.timeout)),
            ),
        }
    }
}

/// Whole milliseconds, at most `u64::MAX`.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
