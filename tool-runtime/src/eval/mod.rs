//! Evaluation: does a model call your tools right? (docs/evaluation.md)
//!
//! A [`Suite`] (a JSON file) holds cases: a user message or a short thread, and what the
//! model's next reply should be: calls of given tools with checks on their arguments
//! (equals, absent-or-one-of, one-of, a numeric range, a regex, a JSON Schema), in any
//! order, or no call and an answer containing a text. An [`Evaluator`] sends each case to
//! any [`ChatModel`](crate::chat::ChatModel) with a registry's tools, once or several
//! times, a few at once, and scores the replies without running any tool. Its [`Report`]
//! has each case's runs and the metrics in sum, by tool and by tag (right tool,
//! arguments that parse, arguments valid against the exported schema, correct
//! arguments, no-call accuracy, latency, tokens), as Markdown for people and JSON for
//! machines. A [`Comparison`] sets two reports side by side with the cases that changed;
//! [`Report::check`] says which [`Threshold`]s a report falls below, for CI;
//! [`Report::rescore`] scores a saved report's replies again against an edited suite.
//!
//! The `eval` example runs a suite against an OpenAI-compatible endpoint:
//! `cargo run --example eval -- examples/evals/weather.json --tools weather --min correct=0.8`.

mod check;
mod compare;
mod markdown;
mod report;
mod rescore;
mod runner;
mod score;
mod suite;
mod threshold;

pub use check::Check;
pub use compare::{CaseChange, Comparison, MetricChange, SplitChange};
pub use report::{CaseReport, Latency, Metric, Metrics, Rate, Report, ScoredCall, Trial, NO_CALL};
pub use runner::{Evaluator, Progress, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT};
pub use suite::{Case, Expect, ExpectedCall, Suite, SuiteError, MAX_EXPECTED_CALLS};
pub use threshold::{Breach, Threshold};
