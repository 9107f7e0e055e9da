//! Reports and comparisons as Markdown, for people: tables of the metrics, the splits by
//! tool and tag, and the cases that went wrong or changed.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::compare::{Comparison, SplitChange};
use super::report::{Metric, Metrics, Rate, Report};

/// The metrics the split tables show.
const SPLIT_COLUMNS: [Metric; 5] = [
    Metric::Correct,
    Metric::RightTool,
    Metric::ArgumentsValid,
    Metric::CorrectArguments,
    Metric::NoCall,
];

impl Report {
    /// The report as Markdown: the metrics, the splits by tool and by tag, and each case
    /// that was not always right with what went wrong first.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let runs = self.summary.runs;
        let _ = writeln!(out, "# Eval: {}\n", title(&self.suite, &self.label));
        let _ = writeln!(
            out,
            "{} cases, {} run(s) each: {runs} runs in {:.1} s, {} without a reply.\n",
            self.cases.len(),
            self.runs_per_case,
            self.wall_ms as f64 / 1000.0,
            self.summary.errors,
        );
        out.push_str("| metric | value |\n| --- | --- |\n");
        for metric in Metric::ALL {
            let _ = writeln!(out, "| {metric} | {} |", self.summary.rate(metric));
        }
        let latency = self.summary.latency;
        let _ = writeln!(
            out,
            "| latency mean / p50 / max | {} / {} / {} ms |",
            latency.mean_ms, latency.p50_ms, latency.max_ms
        );
        let tokens = self.summary.tokens;
        let _ = writeln!(
            out,
            "| tokens prompt / completion | {} / {} |",
            tokens.prompt_tokens, tokens.completion_tokens
        );
        split_table(&mut out, "tool", &self.by_tool);
        split_table(&mut out, "tag", &self.by_tag);
        let wrong: Vec<_> = self
            .cases
            .iter()
            .filter(|case| case.passed() < case.trials.len())
            .collect();
        if !wrong.is_empty() {
            out.push_str("\n## Cases not always right\n\n| case | correct | first problem |\n| --- | --- | --- |\n");
            for case in wrong {
                let problem = case
                    .trials
                    .iter()
                    .find(|trial| !trial.correct)
                    .and_then(|trial| {
                        trial
                            .error
                            .clone()
                            .or_else(|| trial.problems.first().cloned())
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} | {}/{} | {} |",
                    cell(&case.id),
                    case.passed(),
                    case.trials.len(),
                    cell(&problem)
                );
            }
        }
        out
    }
}

impl Comparison {
    /// The comparison as Markdown: each metric old, new and the change, the splits, and
    /// the cases that changed.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Comparison: {} -> {}\n\n| metric | old | new | change |\n| --- | --- | --- | --- |",
            self.old_name, self.new_name
        );
        for change in &self.metrics {
            let delta = change.delta().map_or_else(
                || "-".to_owned(),
                |delta| format!("{:+.1} pt", delta * 100.0),
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {delta} |",
                change.metric, change.old, change.new
            );
        }
        let (old, new) = self.mean_latency_ms;
        let _ = writeln!(
            out,
            "| latency mean | {old} ms | {new} ms | {:+} ms |",
            new as i128 - old as i128
        );
        let (old, new) = self.tokens_per_run;
        let _ = writeln!(
            out,
            "| tokens per run | {old} | {new} | {:+} |",
            new as i128 - old as i128
        );
        split_changes(&mut out, "tool", &self.by_tool);
        split_changes(&mut out, "tag", &self.by_tag);
        if self.changed.is_empty() {
            out.push_str("\nNo case changed.\n");
        } else {
            out.push_str("\n## Cases that changed\n\n| case | old | new |\n| --- | --- | --- |\n");
            let shown = |score: Option<(usize, usize)>| {
                score.map_or_else(
                    || "absent".to_owned(),
                    |(passed, runs)| format!("{passed}/{runs}"),
                )
            };
            for case in &self.changed {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    cell(&case.id),
                    shown(case.old),
                    shown(case.new)
                );
            }
        }
        out
    }
}

fn split_table(out: &mut String, what: &str, split: &BTreeMap<String, Metrics>) {
    if split.is_empty() {
        return;
    }
    let _ = write!(out, "\n## By {what}\n\n| {what} | runs |");
    for metric in SPLIT_COLUMNS {
        let _ = write!(out, " {metric} |");
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" --- |".repeat(SPLIT_COLUMNS.len()));
    out.push('\n');
    for (key, metrics) in split {
        let _ = write!(out, "| {} | {} |", cell(key), metrics.runs);
        for metric in SPLIT_COLUMNS {
            let _ = write!(out, " {} |", percent(metrics.rate(metric)));
        }
        out.push('\n');
    }
}

fn split_changes(out: &mut String, what: &str, changes: &[SplitChange]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## Correct by {what}\n\n| {what} | old | new |\n| --- | --- | --- |"
    );
    for change in changes {
        let shown =
            |rate: Option<Rate>| rate.map_or_else(|| "absent".to_owned(), |rate| rate.to_string());
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&change.key),
            shown(change.old),
            shown(change.new)
        );
    }
}

/// `83%`, or `-` when nothing was measured.
fn percent(rate: Rate) -> String {
    rate.value()
        .map_or_else(|| "-".to_owned(), |value| format!("{:.0}%", value * 100.0))
}

fn title(suite: &str, label: &str) -> String {
    if label.is_empty() {
        suite.to_owned()
    } else {
        format!("{suite} ({label})")
    }
}

/// Text made safe for a table cell: a model's text may hold `|` and newlines.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
