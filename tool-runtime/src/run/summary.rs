//! What a run did, in sum: turns, tool calls by name, tokens, time.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::chat::Usage;
use crate::run::RunStatus;

/// How long one tool call the loop ran took, as a run keeps it for its summary. Only
/// the calls the loop itself ran have one: a call the caller ran (manual mode) or
/// answered without running (rejected, cut short) has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ToolTiming {
    pub(crate) name: String,
    pub(crate) duration: Duration,
}

/// A run in sum, from [`Run::summary`](crate::run::Run::summary): how often the model
/// was asked, which tools were called how often with how many errors and how long they
/// took, the tokens used, and the wall time from the first drive to the end. It serializes (for logs and dashboards) and
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

    /// A summary with no tool calls yet; [`count_call`](Self::count_call) and
    /// [`add_timing`](Self::add_timing) fill them in.
    pub(crate) fn new(
        id: String,
        status: RunStatus,
        turns: u32,
        usage: Usage,
        wall_time: Option<Duration>,
    ) -> Self {
        Self {
            id,
            status,
            turns,
            tools: Vec::new(),
            usage,
            wall_time,
        }
    }

    /// One answered call of `name`.
    pub(crate) fn count_call(&mut self, name: &str, is_error: bool) {
        let tool = self.tool(name);
        tool.calls = tool.calls.saturating_add(1);
        tool.errors = tool.errors.saturating_add(u32::from(is_error));
    }

    /// How long one call the loop ran took.
    pub(crate) fn add_timing(&mut self, timing: &ToolTiming) {
        let tool = self.tool(&timing.name);
        tool.total_duration = tool.total_duration.saturating_add(timing.duration);
        tool.max_duration = tool.max_duration.max(timing.duration);
    }

    /// The entry of `name`, made empty the first time the name comes; entries stay
    /// sorted by name.
    fn tool(&mut self, name: &str) -> &mut ToolSummary {
        let at = match self
            .tools
            .binary_search_by(|tool| tool.name.as_str().cmp(name))
        {
            Ok(at) => at,
            Err(at) => {
                self.tools.insert(
                    at,
                    ToolSummary {
                        name: name.to_owned(),
                        calls: 0,
                        errors: 0,
                        total_duration: Duration::ZERO,
                        max_duration: Duration::ZERO,
                    },
                );
                at
            }
        };
        &mut self.tools[at]
    }
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
    use std::time::Duration;

    use crate::chat::Usage;
    use crate::run::{RunStatus, RunSummary, ToolSummary};

    fn usage(prompt_tokens: u64, completion_tokens: u64) -> Usage {
        Usage {
            prompt_tokens,
            completion_tokens,
        }
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
