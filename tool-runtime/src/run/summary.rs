//! What a run did, in sum: turns, tool calls by name, tokens, time.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::chat::Usage;
use crate::run::{Run, RunStatus, RunStep};

/// How long one tool call the loop ran took, as [`Run`] keeps it for its summary. Only
/// the calls the loop itself ran have one: a call the caller ran (manual mode) or
/// answered without running (rejected, cut short) has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ToolTiming {
    pub(crate) name: String,
    pub(crate) duration: Duration,
}

/// A run in sum, from [`Run::summary`]: how often the model was asked, which tools were
/// called how often with how many errors and how long they took, the tokens used, and the
/// wall time from the first drive to the end. It serializes (for logs and dashboards) and
/// displays as a short table for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// The run's id.
    pub id: String,
    /// Where the run stands.
    pub status: RunStatus,
    /// How many times the model was asked.
    pub turns: u32,
    /// The tools called, one entry per name, by name.
    pub tools: Vec<ToolSummary>,
    /// Tokens used by all model requests, added up.
    pub usage: Usage,
    /// From the first time the run was driven to its end; `None` until it has ended (or
    /// for a run saved by a version that did not record it).
    pub wall_time: Option<Duration>,
}

/// One tool's calls in a [`RunSummary`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolSummary {
    /// The tool's name, as the model called it.
    pub name: String,
    /// How many calls were answered (run, rejected, or cut short).
    pub calls: u32,
    /// How many of their outputs were errors.
    pub errors: u32,
    /// The time the calls the loop ran took, added up (calls run concurrently overlap, so
    /// this can exceed the wall time).
    pub total_duration: Duration,
    /// The longest of those calls.
    pub max_duration: Duration,
}

impl RunSummary {
    /// All tool calls, every tool together.
    pub fn tool_calls(&self) -> u32 {
        self.tools
            .iter()
            .fold(0, |sum, tool| sum.saturating_add(tool.calls))
    }

    /// All error outputs, every tool together.
    pub fn tool_errors(&self) -> u32 {
        self.tools
            .iter()
            .fold(0, |sum, tool| sum.saturating_add(tool.errors))
    }

    pub(crate) fn of(run: &Run) -> Self {
        let mut tools: BTreeMap<String, ToolSummary> = BTreeMap::new();
        // Counts come from the steps (every answered call is there, whoever answered it);
        // durations from the timings (only the calls the loop ran have one).
        for step in &run.steps {
            if let RunStep::ToolCalls { calls, outputs } = step {
                for (call, output) in calls.iter().zip(outputs) {
                    let tool = entry(&mut tools, &call.name);
                    tool.calls = tool.calls.saturating_add(1);
                    tool.errors = tool.errors.saturating_add(u32::from(output.is_error));
                }
            }
        }
        for timing in &run.tool_timings {
            let tool = entry(&mut tools, &timing.name);
            tool.total_duration = tool.total_duration.saturating_add(timing.duration);
            tool.max_duration = tool.max_duration.max(timing.duration);
        }
        let wall_time = match (run.started_at, run.ended_at) {
            // A clock set back between the two gives zero, not an error.
            (Some(start), Some(end)) => Some(end.duration_since(start).unwrap_or_default()),
            _ => None,
        };
        Self {
            id: run.id.clone(),
            status: run.status,
            turns: run.turns,
            tools: tools.into_values().collect(),
            usage: run.usage,
            wall_time,
        }
    }
}

/// The summary of `name`, made empty the first time the name comes.
fn entry<'a>(tools: &'a mut BTreeMap<String, ToolSummary>, name: &str) -> &'a mut ToolSummary {
    tools.entry(name.to_owned()).or_insert_with(|| ToolSummary {
        name: name.to_owned(),
        calls: 0,
        errors: 0,
        total_duration: Duration::ZERO,
        max_duration: Duration::ZERO,
    })
}

/// A duration as people read it: milliseconds under a second, seconds above.
fn human(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2} s", duration.as_secs_f64())
    }
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = serde_json::to_value(self.status)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", self.status));
        let wall = self.wall_time.map_or_else(|| "-".to_owned(), human);
        writeln!(f, "run {}: {status}, {} turns, {wall}", self.id, self.turns)?;
        writeln!(
            f,
            "tokens: {} prompt + {} completion = {}",
            self.usage.prompt_tokens,
            self.usage.completion_tokens,
            self.usage.total()
        )?;
        if self.tools.is_empty() {
            return writeln!(f, "no tool calls");
        }
        let width = self
            .tools
            .iter()
            .map(|tool| tool.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("total".len());
        writeln!(
            f,
            "{:<width$}  {:>5}  {:>6}  {:>10}  {:>10}",
            "tool", "calls", "errors", "total", "max"
        )?;
        for tool in &self.tools {
            writeln!(
                f,
                "{:<width$}  {:>5}  {:>6}  {:>10}  {:>10}",
                tool.name,
                tool.calls,
                tool.errors,
                human(tool.total_duration),
                human(tool.max_duration)
            )?;
        }
        writeln!(
            f,
            "{:<width$}  {:>5}  {:>6}",
            "total",
            self.tool_calls(),
            self.tool_errors()
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::chat::{ChatResponse, Message, Usage};
    use crate::run::{Assistant, Run, RunStatus, RunSummary, Thread, ToolSummary};
    use crate::testing::{ScriptedModel, ScriptedReply};
    use crate::{tool, ToolRegistry};

    /// What the slow tool sleeps: long enough to stand out from scheduling noise.
    const NAP: Duration = Duration::from_millis(60);

    /// Fetch the report, slowly.
    #[tool]
    async fn fetch_report() -> &'static str {
        tokio::time::sleep(NAP).await;
        "report"
    }

    /// Send the report; the mail server is down.
    #[tool]
    fn send_report() -> Result<&'static str, String> {
        Err("the mail server is down".into())
    }

    fn usage(prompt_tokens: u64, completion_tokens: u64) -> Usage {
        Usage {
            prompt_tokens,
            completion_tokens,
        }
    }

    /// Two turns with usage; the first makes the two calls in parallel.
    async fn two_parallel_calls() -> (Run, Duration) {
        let mut registry = ToolRegistry::new();
        registry
            .register(FetchReport)
            .and_then(|r| r.register(SendReport))
            .expect("the tools register");
        let calls = ScriptedReply::tool_calls([("fetch_report", ""), ("send_report", "")]);
        let ScriptedReply::Respond(calls) = calls else {
            unreachable!("tool_calls makes a response")
        };
        let model = ScriptedModel::new([
            calls.with_usage(usage(100, 20)).into(),
            ChatResponse::text("Fetched; the mail server is down.")
                .with_usage(usage(150, 8))
                .into(),
        ]);
        let started = Instant::now();
        let run = Assistant::new(model, registry)
            .run(Thread::from(vec![Message::user(
                "Fetch and send the report",
            )]))
            .await;
        (run, started.elapsed())
    }

    #[tokio::test]
    async fn a_run_with_two_parallel_calls_one_failing_sums_up() {
        let (run, outside) = two_parallel_calls().await;
        let mut summary = run.summary();

        // Durations are the clock's: bounds, then the rest compared whole.
        let fetch = &summary.tools[0];
        assert!(
            fetch.total_duration >= NAP && fetch.total_duration < NAP * 20,
            "{fetch:?}"
        );
        assert_eq!(fetch.max_duration, fetch.total_duration, "one call");
        let send = &summary.tools[1];
        assert!(send.max_duration < NAP, "no sleep in send_report: {send:?}");
        let wall = summary.wall_time.expect("the run ended");
        assert!(
            wall >= NAP && wall <= outside,
            "{wall:?} within {outside:?}"
        );
        for tool in &mut summary.tools {
            tool.total_duration = Duration::ZERO;
            tool.max_duration = Duration::ZERO;
        }
        summary.wall_time = None;
        let quiet = |name: &str, errors| ToolSummary {
            name: name.into(),
            calls: 1,
            errors,
            total_duration: Duration::ZERO,
            max_duration: Duration::ZERO,
        };
        assert_eq!(
            summary,
            RunSummary {
                id: run.id().to_owned(),
                status: RunStatus::Completed,
                turns: 2,
                tools: vec![quiet("fetch_report", 0), quiet("send_report", 1)],
                usage: usage(250, 28),
                wall_time: None,
            }
        );
        assert_eq!((summary.tool_calls(), summary.tool_errors()), (2, 1));
    }

    #[tokio::test]
    async fn the_summary_survives_a_saved_run_and_old_runs_still_load() {
        let (run, _) = two_parallel_calls().await;
        let saved = serde_json::to_value(&run).expect("a run serializes");
        let loaded: Run = serde_json::from_value(saved.clone()).expect("and loads");
        assert_eq!(loaded.summary(), run.summary());

        // A run saved before timings were kept: counts stay, durations are unknown.
        let mut old = saved;
        let fields = old.as_object_mut().expect("a run is an object");
        for new in ["started_at", "ended_at", "tool_timings"] {
            assert!(fields.remove(new).is_some(), "{new} is saved");
        }
        let old: Run = serde_json::from_value(old).expect("an old run loads");
        let summary = old.summary();
        assert_eq!(summary.wall_time, None);
        assert_eq!((summary.tool_calls(), summary.tool_errors()), (2, 1));
        assert!(summary
            .tools
            .iter()
            .all(|tool| tool.total_duration == Duration::ZERO));

        let json = serde_json::to_value(&summary).expect("a summary serializes");
        let back: RunSummary = serde_json::from_value(json).expect("and loads");
        assert_eq!(back, summary);
    }

    #[test]
    fn display_is_a_short_table() {
        let summary = RunSummary {
            id: "run_1".into(),
            status: RunStatus::Completed,
            turns: 2,
            tools: vec![
                ToolSummary {
                    name: "fetch_report".into(),
                    calls: 2,
                    errors: 0,
                    total_duration: Duration::from_micros(120_400),
                    max_duration: Duration::from_micros(61_240),
                },
                ToolSummary {
                    name: "send".into(),
                    calls: 1,
                    errors: 1,
                    total_duration: Duration::from_millis(1_500),
                    max_duration: Duration::from_millis(1_500),
                },
            ],
            usage: usage(250, 28),
            wall_time: Some(Duration::from_millis(2_346)),
        };
        assert_eq!(
            summary.to_string(),
            "\
run run_1: completed, 2 turns, 2.35 s
tokens: 250 prompt + 28 completion = 278
tool          calls  errors       total         max
fetch_report      2       0    120.4 ms     61.2 ms
send              1       1      1.50 s      1.50 s
total             3       1
"
        );

        let idle = RunSummary {
            tools: Vec::new(),
            wall_time: None,
            ..summary
        };
        assert_eq!(
            idle.to_string(),
            "run run_1: completed, 2 turns, -\ntokens: 250 prompt + 28 completion = 278\nno tool calls\n"
        );
    }
}
