//! Two reports side by side: each metric before and after, and the cases whose results
//! changed (e.g. the strict schema form against the plain one, or two wordings of a
//! description).

use super::report::{CaseReport, Metric, Metrics, Rate, Report};

/// Two reports compared: `old` is the baseline, `new` the one it is compared with.
///
/// ```
/// # use tool_runtime::eval::{Comparison, Report};
/// # fn show(old: &Report, new: &Report) {
/// let comparison = Comparison::new(old, new);
/// for case in &comparison.changed {
///     println!("{}: {:?} -> {:?}", case.id, case.old, case.new);
/// }
/// println!("{}", comparison.to_markdown());
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Comparison {
    /// The old report's suite and label.
    pub old_name: String,
    /// The new report's suite and label.
    pub new_name: String,
    /// Each metric over the whole suite, in [`Metric::ALL`]'s order.
    pub metrics: Vec<MetricChange>,
    /// Mean latency in milliseconds of the runs that got a reply, old and new.
    pub mean_latency_ms: (u64, u64),
    /// Tokens per run (prompt and completion) over the runs whose reply said, old and new.
    pub tokens_per_run: (u64, u64),
    /// The share of correct runs of each tool's cases, old and new (`None`: not in that report).
    pub by_tool: Vec<SplitChange>,
    /// The same by tag.
    pub by_tag: Vec<SplitChange>,
    /// The cases whose share of correct runs changed, or that only one report has, in
    /// the new report's order, then the old one's.
    pub changed: Vec<CaseChange>,
}

/// One metric in both reports.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct MetricChange {
    /// Which.
    pub metric: Metric,
    /// In the old report.
    pub old: Rate,
    /// In the new report.
    pub new: Rate,
}

impl MetricChange {
    /// New minus old, when both were measured.
    pub fn delta(&self) -> Option<f64> {
        Some(self.new.value()? - self.old.value()?)
    }
}

/// The correct share of one tool's or tag's cases in both reports.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SplitChange {
    /// The tool or tag.
    pub key: String,
    /// In the old report.
    pub old: Option<Rate>,
    /// In the new report.
    pub new: Option<Rate>,
}

/// A case whose results changed: its correct runs of its runs, in each report (`None`:
/// not in that report).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaseChange {
    /// The case's id.
    pub id: String,
    /// `(correct, runs)` in the old report.
    pub old: Option<(usize, usize)>,
    /// `(correct, runs)` in the new report.
    pub new: Option<(usize, usize)>,
}

impl Comparison {
    /// `old` and `new` compared.
    pub fn new(old: &Report, new: &Report) -> Self {
        let metrics = Metric::ALL
            .into_iter()
            .map(|metric| MetricChange {
                metric,
                old: old.summary.rate(metric),
                new: new.summary.rate(metric),
            })
            .collect();
        let per_run = |metrics: &Metrics| {
            metrics
                .tokens
                .total()
                .checked_div(metrics.runs_with_usage)
                .unwrap_or(0)
        };
        let split = |old: &std::collections::BTreeMap<String, Metrics>,
                     new: &std::collections::BTreeMap<String, Metrics>| {
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .map(|key| SplitChange {
                    key: key.clone(),
                    old: old.get(key).map(|metrics| metrics.correct),
                    new: new.get(key).map(|metrics| metrics.correct),
                })
                .collect()
        };
        let score = |case: &CaseReport| (case.passed(), case.trials.len());
        let mut changed = Vec::new();
        for case in &new.cases {
            let before = old.cases.iter().find(|old| old.id == case.id).map(score);
            let after = Some(score(case));
            let differs = match (before, after) {
                // Shares compared without division: 2/3 and 4/6 are the same.
                (Some((a, n)), Some((b, m))) => a.saturating_mul(m) != b.saturating_mul(n),
                _ => true,
            };
            if differs {
                changed.push(CaseChange {
                    id: case.id.clone(),
                    old: before,
                    new: after,
                });
            }
        }
        for case in &old.cases {
            if !new.cases.iter().any(|new| new.id == case.id) {
                changed.push(CaseChange {
                    id: case.id.clone(),
                    old: Some(score(case)),
                    new: None,
                });
            }
        }
        Self {
            old_name: name(old),
            new_name: name(new),
            metrics,
            mean_latency_ms: (old.summary.latency.mean_ms, new.summary.latency.mean_ms),
            tokens_per_run: (per_run(&old.summary), per_run(&new.summary)),
            by_tool: split(&old.by_tool, &new.by_tool),
            by_tag: split(&old.by_tag, &new.by_tag),
            changed,
        }
    }
}

/// `suite (label)`, or the suite alone.
fn name(report: &Report) -> String {
    if report.label.is_empty() {
        report.suite.clone()
    } else {
        format!("{} ({})", report.suite, report.label)
    }
}
