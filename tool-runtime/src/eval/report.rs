//! What an eval run found: each case's runs as scored, and the metrics in sum, by tool and
//! by tag. Serde both ways: a report saved as JSON loads back for a comparison.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::chat::Usage;

/// The key of the no-call cases in [`Report::by_tool`].
pub const NO_CALL: &str = "(no call)";

/// An eval run's report (docs/evaluation.md, "The report").
///
/// Latencies are measured on tokio's clock: a test with paused time (`#[tokio::test(start_paused
/// = true)]`) gets exact figures, so a whole report can be compared with an expected document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The suite's name.
    pub suite: String,
    /// What was evaluated, as the caller named it (the model, the schema form...).
    #[serde(default)]
    pub label: String,
    /// How many times each case ran.
    pub runs_per_case: u32,
    /// The metrics over every run of every case.
    pub summary: Metrics,
    /// The metrics of the cases expecting each tool ([`NO_CALL`]: the no-call cases), but
    /// for `arguments_parse` and `arguments_valid`, which count the calls of that tool in
    /// any case (none under [`NO_CALL`]). A tool no case expects has no row: its calls
    /// count in the summary and `by_tag`.
    pub by_tool: BTreeMap<String, Metrics>,
    /// The metrics of the cases with each tag.
    pub by_tag: BTreeMap<String, Metrics>,
    /// Each case, in the suite's order.
    pub cases: Vec<CaseReport>,
    /// How long the whole evaluation took, in milliseconds.
    pub wall_ms: u64,
}

/// One case's runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CaseReport {
    /// The case's id.
    pub id: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// The tools it expects called (none: a no-call case).
    pub expected_tools: Vec<String>,
    /// Each run, in run order.
    pub trials: Vec<Trial>,
}

impl CaseReport {
    /// How many of its runs were fully correct.
    pub fn passed(&self) -> usize {
        self.trials.iter().filter(|trial| trial.correct).count()
    }

    /// Whether the case expects no call.
    pub fn expects_no_call(&self) -> bool {
        self.expected_tools.is_empty()
    }
}

/// One run of one case: the model's reply, scored, or why there was none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trial {
    /// Which run (0 to `runs_per_case - 1`).
    pub run: u32,
    /// From the request to the reply (or the error), in milliseconds.
    pub latency_ms: u64,
    /// Tokens, when the model said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Why there was no reply: the model's error, or the timeout. The run counts as wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The calls the model made, in its order.
    #[serde(default)]
    pub calls: Vec<ScoredCall>,
    /// The reply's text (clipped to 2 KiB), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The answer was longer than 2 KiB: `answer` holds its start, and
    /// [`Report::rescore`] keeps this run's scores rather than score a part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answer_clipped: bool,
    /// The calls name exactly the expected tools (a call case), or there are none (a no-call case).
    pub right_tool: bool,
    /// Every expected call was matched by a distinct call passing all its checks.
    pub correct_arguments: bool,
    /// The reply is what the case expects: the right tools, every expected call matched,
    /// and no call the tool would refuse (arguments outside its plain schema: an unknown
    /// argument, a wrong type).
    pub correct: bool,
    /// What was wrong, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One call the model made, scored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScoredCall {
    /// The tool it named.
    pub tool: String,
    /// Its arguments as the model sent them (clipped to 2 KiB).
    pub arguments: String,
    /// The arguments (or the tool's name) were longer than 2 KiB: `arguments` holds their
    /// start, and [`Report::rescore`] keeps the scores of this call's run rather than
    /// score a part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clipped: bool,
    /// The arguments are a JSON object (empty text counts as `{}`).
    pub parses: bool,
    /// The arguments are valid against the tool's exported schema (false for a tool the
    /// registry does not have; `None` when that schema could not be compiled).
    pub valid: Option<bool>,
}

/// A share: `hits` of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// How many were right.
    pub hits: u64,
    /// Out of how many.
    pub total: u64,
}

impl Rate {
    /// `hits / total`, or `None` when nothing was measured.
    pub fn value(&self) -> Option<f64> {
        (self.total > 0).then(|| self.hits as f64 / self.total as f64)
    }

    fn count(&mut self, hit: bool) {
        self.total = self.total.saturating_add(1);
        self.hits = self.hits.saturating_add(u64::from(hit));
    }
}

impl fmt::Display for Rate {
    /// `83.3% (25/30)`, or `-` when nothing was measured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(value) => write!(f, "{:.1}% ({}/{})", value * 100.0, self.hits, self.total),
            None => f.write_str("-"),
        }
    }
}

/// Latencies of the runs of a set that got a reply, in milliseconds (a failed run's time is
/// the timeout or how soon an error came, not the model's speed: they are counted in
/// [`Metrics::errors`]). All zero when no run got a reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// The mean.
    pub mean_ms: u64,
    /// The median (of an even count, the mean of the two middle ones).
    pub p50_ms: u64,
    /// The slowest.
    pub max_ms: u64,
}

/// The metrics of a set of runs (docs/evaluation.md, "Metrics").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metrics {
    /// Runs counted.
    pub runs: u64,
    /// Runs that got no reply (a model error or the timeout).
    pub errors: u64,
    /// Runs whose reply was what the case expects.
    pub correct: Rate,
    /// Runs of call cases whose calls named exactly the expected tools.
    pub right_tool: Rate,
    /// Calls whose arguments are a JSON object.
    pub arguments_parse: Rate,
    /// Calls whose arguments are valid against the tool's exported schema.
    pub arguments_valid: Rate,
    /// Runs of call cases with the right tools whose arguments passed every check.
    pub correct_arguments: Rate,
    /// Runs of no-call cases with no call (and the expected text in the answer).
    pub no_call: Rate,
    /// Latency of the runs that got a reply.
    pub latency: Latency,
    /// Tokens of the runs, in sum.
    pub tokens: Usage,
    /// Runs whose reply said how many tokens it took: what [`tokens`](Self::tokens) sums,
    /// and what tokens per run are counted over.
    #[serde(default)]
    pub runs_with_usage: u64,
}

/// A metric a threshold or a comparison names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Metric {
    /// [`Metrics::correct`].
    Correct,
    /// [`Metrics::right_tool`].
    RightTool,
    /// [`Metrics::arguments_parse`].
    ArgumentsParse,
    /// [`Metrics::arguments_valid`].
    ArgumentsValid,
    /// [`Metrics::correct_arguments`].
    CorrectArguments,
    /// [`Metrics::no_call`].
    NoCall,
}

impl Metric {
    /// Every metric, in the reports' order.
    pub const ALL: [Metric; 6] = [
        Metric::Correct,
        Metric::RightTool,
        Metric::ArgumentsParse,
        Metric::ArgumentsValid,
        Metric::CorrectArguments,
        Metric::NoCall,
    ];

    /// Its name, as in the JSON report and on a command line: `correct`, `right_tool`...
    pub fn name(self) -> &'static str {
        match self {
            Metric::Correct => "correct",
            Metric::RightTool => "right_tool",
            Metric::ArgumentsParse => "arguments_parse",
            Metric::ArgumentsValid => "arguments_valid",
            Metric::CorrectArguments => "correct_arguments",
            Metric::NoCall => "no_call",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    /// A metric by its [`name`](Metric::name).
    fn from_str(text: &str) -> Result<Self, String> {
        Metric::ALL
            .into_iter()
            .find(|metric| metric.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|metric| metric.name()).collect();
                format!("unknown metric `{text}`; the metrics: {}", names.join(", "))
            })
    }
}

impl Metrics {
    /// The rate a metric names.
    pub fn rate(&self, metric: Metric) -> Rate {
        match metric {
            Metric::Correct => self.correct,
            Metric::RightTool => self.right_tool,
            Metric::ArgumentsParse => self.arguments_parse,
            Metric::ArgumentsValid => self.arguments_valid,
            Metric::CorrectArguments => self.correct_arguments,
            Metric::NoCall => self.no_call,
        }
    }

    /// `arguments_parse` and `arguments_valid` of these calls added.
    fn count_calls<'a>(&mut self, calls: impl IntoIterator<Item = &'a ScoredCall>) {
        for call in calls {
            self.arguments_parse.count(call.parses);
            if let Some(valid) = call.valid {
                self.arguments_valid.count(valid);
            }
        }
    }

    /// The metrics of these runs, each with whether its case expects no call.
    fn of<'a>(trials: impl Iterator<Item = (bool, &'a Trial)>) -> Self {
        let mut metrics = Metrics::default();
        let mut latencies = Vec::new();
        for (no_call, trial) in trials {
            metrics.runs = metrics.runs.saturating_add(1);
            metrics.errors = metrics
                .errors
                .saturating_add(u64::from(trial.error.is_some()));
            metrics.correct.count(trial.correct);
            if no_call {
                metrics.no_call.count(trial.correct);
            } else {
                metrics.right_tool.count(trial.right_tool);
                if trial.right_tool {
                    metrics.correct_arguments.count(trial.correct_arguments);
                }
            }
            metrics.count_calls(&trial.calls);
            if let Some(usage) = trial.usage {
                metrics.tokens += usage;
                metrics.runs_with_usage = metrics.runs_with_usage.saturating_add(1);
            }
            if trial.error.is_none() {
                latencies.push(trial.latency_ms);
            }
        }
        latencies.sort_unstable();
        if let (Some(&max), Some(&upper)) = (latencies.last(), latencies.get(latencies.len() / 2)) {
            // Of an even count, the mean of the two middle ones (sorted: `lower <= upper`).
            let p50 = match latencies.len() % 2 {
                0 => {
                    let lower = latencies[latencies.len() / 2 - 1];
                    lower + (upper - lower) / 2
                }
                _ => upper,
            };
            let sum = latencies
                .iter()
                .fold(0u64, |sum, &latency| sum.saturating_add(latency));
            metrics.latency = Latency {
                mean_ms: sum / latencies.len() as u64,
                p50_ms: p50,
                max_ms: max,
            };
        }
        metrics
    }
}

impl Report {
    /// The report of these cases' runs, with its sums and splits.
    pub(super) fn new(
        suite: &str,
        label: &str,
        runs_per_case: u32,
        cases: Vec<CaseReport>,
        wall_ms: u64,
    ) -> Self {
        let all = cases.iter().flat_map(|case| {
            let no_call = case.expects_no_call();
            case.trials.iter().map(move |trial| (no_call, trial))
        });
        let summary = Metrics::of(all);
        let mut tools: BTreeMap<String, Vec<&CaseReport>> = BTreeMap::new();
        let mut tags: BTreeMap<String, Vec<&CaseReport>> = BTreeMap::new();
        for case in &cases {
            if case.expects_no_call() {
                tools.entry(NO_CALL.to_owned()).or_default().push(case);
            }
            for tool in &case.expected_tools {
                tools.entry(tool.clone()).or_default().push(case);
            }
            for tag in &case.tags {
                tags.entry(tag.clone()).or_default().push(case);
            }
        }
        let split = |groups: BTreeMap<String, Vec<&CaseReport>>| {
            groups
                .into_iter()
                .map(|(key, cases)| {
                    let trials = cases.into_iter().flat_map(|case| {
                        let no_call = case.expects_no_call();
                        case.trials.iter().map(move |trial| (no_call, trial))
                    });
                    (key, Metrics::of(trials))
                })
                .collect()
        };
        let mut by_tool: BTreeMap<String, Metrics> = split(tools);
        // A tool's calls are the calls of that tool, in whichever case the model made them:
        // a call of another tool says nothing of this tool's arguments. (Its other metrics
        // are of the runs of the cases expecting it.)
        for (tool, metrics) in &mut by_tool {
            metrics.arguments_parse = Rate::default();
            metrics.arguments_valid = Rate::default();
            let calls = cases
                .iter()
                .flat_map(|case| &case.trials)
                .flat_map(|trial| &trial.calls)
                .filter(|call| &call.tool == tool);
            metrics.count_calls(calls);
        }
        let by_tag = split(tags);
        Self {
            suite: suite.to_owned(),
            label: label.to_owned(),
            runs_per_case,
            summary,
            by_tool,
            by_tag,
            cases,
            wall_ms,
        }
    }

    /// The report as pretty JSON, for machines and for a later comparison.
    ///
    /// ```
    /// # use tool_runtime::eval::Report;
    /// # fn show(report: &Report) -> Result<(), serde_json::Error> {
    /// let text = report.to_json();
    /// assert_eq!(&Report::from_json(&text)?, report);
    /// # Ok(()) }
    /// ```
    pub fn to_json(&self) -> String {
        // A report is strings, numbers and maps with string keys: it always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A report saved with [`to_json`](Self::to_json).
    ///
    /// # Errors
    ///
    /// serde's error when `text` is not a report.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
