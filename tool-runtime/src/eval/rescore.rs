//! Scoring replies already paid for: a saved report's replies scored again against a
//! suite (its checks edited, cases added or dropped) without asking the model again.

use crate::call::ToolCall;
use crate::chat::ChatResponse;
use crate::format::SchemaForm;
use crate::registry::ToolRegistry;

use super::report::{CaseReport, Report, Trial};
use super::score::{failed, score, Schemas};
use super::suite::{Case, Suite, SuiteError};

impl Report {
    /// The report `suite` gives for the replies this report holds, matched by case id and
    /// run, scored with `registry`'s tools exported in `form` (the form the replies were
    /// asked in); no model is asked. Latencies, tokens, errors, the label and the wall
    /// time are this report's. A case this report does not have is left out. What a report
    /// keeps of a reply is clipped (2 KiB of a call's arguments or of the answer): a run
    /// whose reply was clipped ([`ScoredCall::clipped`](super::ScoredCall::clipped),
    /// [`Trial::answer_clipped`]) cannot be scored again, and keeps its scores.
    ///
    /// # Errors
    ///
    /// [`SuiteError::UnknownTools`] when cases expect tools the registry does not have,
    /// [`SuiteError::Case`] when a case checks an argument its tool does not have.
    ///
    /// ```
    /// # use tool_runtime::eval::{Report, Suite};
    /// # use tool_runtime::format::SchemaForm;
    /// # fn again(registry: &tool_runtime::ToolRegistry, old: &Report) -> Result<(), Box<dyn std::error::Error>> {
    /// // The suite's checks were edited: score last night's replies again.
    /// let suite = Suite::load("examples/evals/weather.json")?;
    /// let report = old.rescore(&suite, registry, SchemaForm::Plain)?;
    /// println!("{}", report.to_markdown());
    /// # Ok(()) }
    /// ```
    pub fn rescore(
        &self,
        suite: &Suite,
        registry: &ToolRegistry,
        form: SchemaForm,
    ) -> Result<Report, SuiteError> {
        let unknown = suite.unknown_tools(registry);
        if !unknown.is_empty() {
            return Err(SuiteError::UnknownTools(unknown));
        }
        suite.check_arguments(registry)?;
        let schemas = Schemas::new(registry, form);
        let cases = suite
            .cases()
            .iter()
            .filter_map(|case| {
                let old = self.cases.iter().find(|old| old.id == case.id())?;
                Some(CaseReport {
                    id: case.id().to_owned(),
                    tags: case.tags().to_vec(),
                    expected_tools: case.expected_tools(),
                    trials: old
                        .trials
                        .iter()
                        .map(|trial| replay(case, &schemas, trial))
                        .collect(),
                })
            })
            .collect();
        Ok(Report::new(
            suite.name(),
            &self.label,
            self.runs_per_case,
            cases,
            self.wall_ms,
        ))
    }
}

/// A recorded run scored again against `case`.
fn replay(case: &Case, schemas: &Schemas, trial: &Trial) -> Trial {
    if let Some(error) = &trial.error {
        return failed(trial.run, trial.latency_ms, error.clone());
    }
    // Part of a reply scored again would be scored wrong (cut JSON does not parse): the
    // scores made of the whole reply stand.
    if trial.answer_clipped || trial.calls.iter().any(|call| call.clipped) {
        return trial.clone();
    }
    let calls = trial
        .calls
        .iter()
        .enumerate()
        .map(|(at, call)| ToolCall::new(format!("call_{at}"), &call.tool, &call.arguments))
        .collect();
    let mut reply = ChatResponse::tool_calls(calls);
    reply.content = trial.answer.clone();
    reply.usage = trial.usage;
    score(case, schemas, &reply, trial.run, trial.latency_ms)
}
