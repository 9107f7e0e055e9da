//! The loop's `tracing` spans, named and filled in as OpenTelemetry's GenAI semantic
//! conventions say (docs/observability.md), so that `tracing-opentelemetry` exports a run
//! that any OpenTelemetry backend reads without a mapping of its own:
//!
//! - `run`: `invoke_agent`, the whole drive of a run (provider, model, tokens, error);
//! - `turn`: one model request and the calls it made (no GenAI meaning: a grouping);
//! - `model_request`: `chat {model}`, a client span (request options, response id and
//!   model, finish reasons, tokens, error);
//! - `tool_call`: `execute_tool {tool}` (tool name, call id, type, error).
//!
//! The `otel.*` fields are `tracing-opentelemetry`'s: the span's name, kind and status.
//! Numbers are recorded as `i64`: `tracing-opentelemetry` makes an unsigned field a
//! string attribute.
//! Fields known only later are declared `Empty` and recorded when they are known. Work
//! done only for a span (formatting, a lookup) is skipped when no subscriber wants it.

use std::fmt;

use tracing::field::{display, Empty};
use tracing::Span;

use crate::call::{ToolCall, ToolOutput};
use crate::chat::{ChatModel, ChatRequest, ChatResponse, ModelError, Usage};
use crate::run::{Run, RunStatus};

/// The most characters of a model-chosen text (a tool name, a call id, a finish reason)
/// a span shows: real ones are far shorter, and a model may send anything.
const MAX_SHOWN: usize = 128;

/// `text`, cut to [`MAX_SHOWN`] characters (with `...` when cut), without copying it.
struct Cut<'a>(&'a str);

impl fmt::Display for Cut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(MAX_SHOWN) {
            Some((end, _)) => write!(f, "{}...", &self.0[..end]),
            None => f.write_str(self.0),
        }
    }
}

/// A span's name as the conventions write it: the operation, then what it is about
/// (`chat gpt-4o`, `execute_tool get_weather`), or the operation alone.
struct Named<'a>(&'static str, Option<&'a str>);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(subject) => write!(f, "{} {}", self.0, Cut(subject)),
            None => f.write_str(self.0),
        }
    }
}

/// A token count as the integer an attribute holds (OpenTelemetry's are signed 64-bit):
/// the count is a server's, so it saturates rather than wraps.
fn tokens(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Records an error's low-cardinality kind, and the span's status as an error.
fn failed(span: &Span, kind: &str) {
    span.record("error.type", kind);
    span.record("otel.status_code", "error");
}

/// The span of one drive of `run` (an agent invocation).
pub(super) fn run(run: &Run, model: &dyn ChatModel) -> Span {
    tracing::info_span!(
        "run",
        run.id = %run.id,
        status = Empty,
        otel.name = "invoke_agent",
        otel.status_code = Empty,
        gen_ai.operation.name = "invoke_agent",
        gen_ai.provider.name = model.provider(),
        gen_ai.request.model = model.model(),
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        error.type = Empty,
    )
}

/// Records how the drive ended: the status, the tokens it used (the run's total less
/// `before`, what earlier drives used), and the error a run that failed ended with
/// (its [`RunError`](crate::run::RunError) code: `model_error`, `max_turns`, `max_tokens`,
/// `expired`).
pub(super) fn end_run(span: &Span, run: &Run, before: Usage) {
    if span.is_disabled() {
        return;
    }
    span.record("status", tracing::field::debug(run.status));
    let input = run.usage.prompt_tokens.saturating_sub(before.prompt_tokens);
    let output = run
        .usage
        .completion_tokens
        .saturating_sub(before.completion_tokens);
    span.record("gen_ai.usage.input_tokens", tokens(input));
    span.record("gen_ai.usage.output_tokens", tokens(output));
    let ended_badly = matches!(
        run.status,
        RunStatus::Failed | RunStatus::Expired | RunStatus::Incomplete
    );
    if let Some(error) = run.last_error.as_ref().filter(|_| ended_badly) {
        failed(span, &error.code);
    }
}

/// The span of one model request (a client span: the model is elsewhere, as a rule),
/// with the request's options that the conventions name.
pub(super) fn chat(model: &dyn ChatModel, request: &ChatRequest<'_>) -> Span {
    let span = tracing::info_span!(
        "model_request",
        messages = i64::try_from(request.messages.len()).unwrap_or(i64::MAX),
        otel.name = %Named("chat", model.model()),
        otel.kind = "client",
        otel.status_code = Empty,
        gen_ai.operation.name = "chat",
        gen_ai.provider.name = model.provider(),
        gen_ai.request.model = model.model(),
        gen_ai.request.max_tokens = Empty,
        gen_ai.request.temperature = Empty,
        gen_ai.request.top_p = Empty,
        gen_ai.request.seed = Empty,
        gen_ai.response.id = Empty,
        gen_ai.response.model = Empty,
        gen_ai.response.finish_reasons = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        error.type = Empty,
    );
    if !span.is_disabled() {
        let options = &request.options;
        if let Some(max_tokens) = options.max_tokens {
            span.record("gen_ai.request.max_tokens", i64::from(max_tokens));
        }
        if let Some(temperature) = options.temperature {
            span.record("gen_ai.request.temperature", temperature);
        }
        if let Some(top_p) = options.top_p {
            span.record("gen_ai.request.top_p", top_p);
        }
        if let Some(seed) = options.seed {
            span.record("gen_ai.request.seed", seed);
        }
    }
    span
}

/// Records what the model answered: the reply's id and model, why it finished, tokens.
///
/// The conventions make `gen_ai.response.finish_reasons` an array (one reason per
/// choice); a `tracing` field cannot hold one, so it is the array's JSON text
/// (`["tool_calls"]`): a deviation docs/observability.md owns up to.
pub(super) fn end_chat(span: &Span, response: &ChatResponse) {
    if span.is_disabled() {
        return;
    }
    if let Some(id) = &response.id {
        span.record("gen_ai.response.id", display(Cut(id)));
    }
    if let Some(model) = &response.model {
        span.record("gen_ai.response.model", display(Cut(model)));
    }
    let reason = match serde_json::to_value(&response.finish_reason) {
        Ok(serde_json::Value::String(reason)) => Cut(&reason).to_string(),
        _ => String::new(),
    };
    let reasons = serde_json::Value::from(vec![reason]);
    span.record("gen_ai.response.finish_reasons", display(reasons));
    if let Some(usage) = response.usage {
        span.record("gen_ai.usage.input_tokens", tokens(usage.prompt_tokens));
        span.record(
            "gen_ai.usage.output_tokens",
            tokens(usage.completion_tokens),
        );
    }
}

/// Records that the model request failed, and how ([`ModelError::kind`]).
pub(super) fn chat_failed(span: &Span, error: &ModelError) {
    if !span.is_disabled() {
        failed(span, &error.kind());
    }
}

/// The span of one tool call the loop runs.
pub(super) fn tool(call: &ToolCall) -> Span {
    tracing::info_span!(
        "tool_call",
        otel.name = %Named("execute_tool", Some(&call.name)),
        otel.status_code = Empty,
        gen_ai.operation.name = "execute_tool",
        gen_ai.tool.name = %Cut(&call.name),
        gen_ai.tool.call.id = %Cut(&call.id),
        gen_ai.tool.type = "function",
        error.type = Empty,
    )
}

/// Records a failed call: `unknown_tool` when the model named no tool of the registry,
/// `tool_error` for any other failure (arguments that do not fit, the tool's own error).
pub(super) fn end_tool(span: &Span, output: &ToolOutput, known: impl FnOnce() -> bool) {
    if output.is_error && !span.is_disabled() {
        failed(
            span,
            if known() {
                "tool_error"
            } else {
                "unknown_tool"
            },
        );
    }
}
