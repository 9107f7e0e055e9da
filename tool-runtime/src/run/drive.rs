//! The loop: ask the model, run its tool calls, give it their outputs, ask again.

use std::future::Future;
use std::pin::pin;
use std::time::{Instant, SystemTime};

use futures_util::future::{self, Either, FutureExt};
use futures_util::stream::{self, BoxStream, FuturesUnordered, StreamExt};
use tracing::Instrument;

use crate::call::{ToolCall, ToolOutput};
use crate::chat::{
    ChatDelta, ChatRequest, FinishReason, RequestOptions, ResponseBuilder, ToolChoice,
};
use crate::run::lifecycle::PendingCall;
use crate::run::spans;
use crate::run::summary::ToolTiming;
use crate::run::{Assistant, Decision, Mode, Run, RunError, RunEvent, RunStatus, RunStep};

/// What stopped a step short.
enum Interrupt {
    Cancelled,
    Expired,
}

type Emit<'e> = dyn FnMut(RunEvent) + Send + 'e;

impl Assistant {
    /// Drives `run` until it needs the caller (`requires_action`) or ends. A run that is
    /// already waiting or ended is left as it is.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi")]), ToolRegistry::new());
    /// let mut run = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// assistant.drive(&mut run).await;
    /// assert_eq!((run.status(), run.turns()), (RunStatus::Completed, 1));
    ///
    /// assistant.drive(&mut run).await; // ended: the model is not asked again
    /// assert_eq!((run.status(), run.turns()), (RunStatus::Completed, 1));
    /// # });
    /// ```
    pub async fn drive(&self, run: &mut Run) {
        self.drive_with(run, &mut |_| {}).await;
    }

    /// Drives `run` like [`drive`](Self::drive), as a stream of what happens: status
    /// changes, text and tool-call deltas, tool outputs, finished messages, usage, and a
    /// last [`RunEvent::Finished`].
    ///
    /// ```
    /// use tool_runtime::chat::StreamExt;
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunEvent, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi there")]), ToolRegistry::new());
    /// let mut run = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// let text: String = assistant
    ///     .events(&mut run)
    ///     .filter_map(|event| async move { match event { RunEvent::TextDelta(t) => Some(t), _ => None } })
    ///     .collect()
    ///     .await;
    /// assert_eq!(text, "Hi there");
    /// # });
    /// ```
    pub fn events<'a>(&'a self, run: &'a mut Run) -> BoxStream<'a, RunEvent> {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
        let driving = async move {
            self.drive_with(run, &mut |event| {
                // The receiver is gone only when the stream was dropped: nobody to tell.
                let _ = sender.send(event);
            })
            .await;
        };
        let events = stream::poll_fn(move |cx| receiver.poll_recv(cx));
        let done = driving.into_stream().filter_map(|()| future::ready(None));
        stream::select(events, done).boxed()
    }

    async fn drive_with(&self, run: &mut Run, emit: &mut Emit<'_>) {
        let span = spans::run(run, &*self.model);
        let before = run.usage;
        self.drive_inner(run, emit).instrument(span.clone()).await;
        spans::end_run(&span, run, before);
        emit(RunEvent::Finished(run.status));
    }

    async fn drive_inner(&self, run: &mut Run, emit: &mut Emit<'_>) {
        // In progress or cancelling on entry: an earlier drive was dropped half-way (its
        // future or its event stream). Its unanswered calls may or may not have run.
        const CUT_SHORT: &str = "the run was interrupted while this call was in flight; it may or may not have completed";
        match run.status {
            RunStatus::Cancelled
            | RunStatus::Failed
            | RunStatus::Completed
            | RunStatus::Incomplete
            | RunStatus::Expired => return,
            // Waiting for the caller: past its deadline, the run expires (as an Assistants
            // run does when its outputs come too late); otherwise it keeps waiting.
            RunStatus::RequiresAction => {
                if let Some(Interrupt::Expired) = check(run) {
                    interrupted(run, emit, Interrupt::Expired);
                }
                return;
            }
            RunStatus::Cancelling => {
                run.answer_unanswered(CUT_SHORT);
                return set_status(run, emit, RunStatus::Cancelled);
            }
            RunStatus::InProgress => run.answer_unanswered(CUT_SHORT),
            RunStatus::Queued => {}
        }
        run.started_at.get_or_insert_with(SystemTime::now);
        set_status(run, emit, RunStatus::InProgress);
        if !run.pending.is_empty() {
            // Resumed after the caller acted: nothing runs once the run is cancelled or
            // past its deadline, approved or not.
            if let Some(interrupt) = check(run) {
                return interrupted(run, emit, interrupt);
            }
            if let Err(interrupt) = self.resolve(run, emit).await {
                return interrupted(run, emit, interrupt);
            }
        }
        loop {
            if let Some(interrupt) = check(run) {
                return interrupted(run, emit, interrupt);
            }
            if run.turns >= self.options.max_turns {
                run.last_error = Some(RunError::new(
                    "max_turns",
                    format!(
                        "the run asked the model {} times without a final answer",
                        run.turns
                    ),
                ));
                return set_status(run, emit, RunStatus::Incomplete);
            }
            run.turns += 1;
            // An `i64`: an unsigned field would reach OpenTelemetry as a string.
            let turn = tracing::info_span!("turn", turn = i64::from(run.turns));
            let (calls, finish_reason) = match self.ask(run, emit).instrument(turn.clone()).await {
                Ok(reply) => reply,
                Err(Some(interrupt)) => return interrupted(run, emit, interrupt),
                Err(None) => return set_status(run, emit, RunStatus::Failed),
            };
            if calls.is_empty() {
                if finish_reason == FinishReason::Length {
                    run.last_error = Some(RunError::new(
                        "max_tokens",
                        "the model's answer was cut off at the token limit",
                    ));
                    return set_status(run, emit, RunStatus::Incomplete);
                }
                return set_status(run, emit, RunStatus::Completed);
            }
            run.pending = self.pending_of(calls);
            let waits = run.pending.iter().any(PendingCall::awaits_caller);
            // Calls that wait for nobody run now; if some wait for the caller, their
            // outputs wait with them, in the run.
            let ready = ready_calls(run);
            if let Err(interrupt) = self
                .run_calls(run, ready, emit)
                .instrument(turn.clone())
                .await
            {
                return interrupted(run, emit, interrupt);
            }
            if waits {
                return set_status(run, emit, RunStatus::RequiresAction);
            }
            run.close_pending("the call produced no output");
        }
    }

    /// One model request, streamed; the reply goes into the thread. Returns its tool
    /// calls, or why there was no reply (`None`: the model failed; the error is recorded).
    async fn ask(
        &self,
        run: &mut Run,
        emit: &mut Emit<'_>,
    ) -> Result<(Vec<ToolCall>, FinishReason), Option<Interrupt>> {
        // The run's tool choice, which a forced choice leaves once it is answered.
        let options = RequestOptions {
            tool_choice: run.tool_choice.clone(),
            ..self.options.request.clone()
        };
        let registry = self.registry.load();
        let mut request = ChatRequest::new(run.thread.messages())
            .with_tools(&registry)
            .with_options(options);
        // A name both have is the caller's: the model is told of it once.
        request
            .tools
            .retain(|tool| !self.is_caller_tool(tool.name()));
        request.tools.extend(self.caller_tools.iter());
        let span = spans::chat(&*self.model, &request);
        let mut deltas = self.model.stream(request);
        let mut builder = ResponseBuilder::default();
        let started = Instant::now();
        loop {
            let next = match race(&run.cancel, run.expires_at, deltas.next())
                .instrument(span.clone())
                .await
            {
                Ok(next) => next,
                Err(interrupt) => return Err(Some(interrupt)),
            };
            let delta = match next {
                None => break,
                Some(Ok(delta)) => delta,
                Some(Err(error)) => {
                    span.in_scope(|| tracing::warn!(error = %error, "the model request failed"));
                    spans::chat_failed(&span, &error);
                    run.last_error = Some(RunError::new("model_error", error.to_string()));
                    return Err(None);
                }
            };
            match &delta {
                ChatDelta::Text(text) => emit(RunEvent::TextDelta(text.clone())),
                ChatDelta::Usage(usage) => {
                    run.usage += *usage;
                    emit(RunEvent::Usage(*usage));
                }
                _ => {}
            }
            let fragment = match &delta {
                ChatDelta::ToolCall {
                    index, arguments, ..
                } => Some((*index, arguments.clone())),
                _ => None,
            };
            let began = builder.push(delta);
            if let Some((index, arguments)) = fragment {
                if let Some(call) = builder.tool_call(index) {
                    if began {
                        emit(RunEvent::ToolCallCreated {
                            id: call.id.clone(),
                            name: call.name.clone(),
                        });
                    }
                    if !arguments.is_empty() {
                        emit(RunEvent::ToolCallDelta {
                            id: call.id.clone(),
                            arguments,
                        });
                    }
                }
            }
        }
        drop(deltas);
        span.in_scope(|| {
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "model replied"
            )
        });
        let response = builder.finish();
        spans::end_chat(&span, &response);
        let message = response.to_message();
        run.thread.push(message.clone());
        run.steps.push(RunStep::MessageCreation {
            message: message.clone(),
        });
        emit(RunEvent::MessageDone(message));
        if !response.tool_calls.is_empty() && run.tool_choice != ToolChoice::Auto {
            run.tool_choice = ToolChoice::Auto;
        }
        Ok((response.tool_calls, response.finish_reason))
    }

    /// The turn's calls, marked with what each waits for: in automatic mode, a decision on
    /// those that need approval; in manual mode, the caller's output for all (running them,
    /// and so approving them, is the caller's business); the caller's output for the
    /// caller's own tools in either mode.
    fn pending_of(&self, calls: Vec<ToolCall>) -> Vec<PendingCall> {
        let automatic = self.options.mode == Mode::Automatic;
        let registry = self.registry.load();
        calls
            .into_iter()
            .map(|call| {
                let callers = self.is_caller_tool(&call.name);
                let needs_approval = !callers
                    && registry
                        .definition(&call.name)
                        .is_some_and(|definition| definition.markers().needs_approval());
                PendingCall {
                    call,
                    needs_approval,
                    awaits_decision: automatic && needs_approval,
                    awaits_output: !automatic || callers,
                    decision: None,
                    output: None,
                }
            })
            .collect()
    }

    /// Settles the turn's calls once the caller has acted: answers the rejected ones, runs
    /// the approved ones (and any other without an output), and appends all outputs to
    /// the thread in call order.
    async fn resolve(&self, run: &mut Run, emit: &mut Emit<'_>) -> Result<(), Interrupt> {
        let mut to_run = Vec::new();
        for (index, pending) in run.pending.iter_mut().enumerate() {
            if pending.output.is_some() {
                continue;
            }
            let output = match (&pending.decision, pending.awaits_decision) {
                (Some(Decision::Reject { message }), _) => {
                    ToolOutput::error(&pending.call, message.clone())
                }
                (
                    Some(Decision::Approve {
                        arguments: Some(arguments),
                    }),
                    _,
                ) => {
                    to_run.push((
                        index,
                        ToolCall::new(&pending.call.id, &pending.call.name, arguments.clone()),
                    ));
                    continue;
                }
                // A call that needs a decision and has none (a stored run edited by hand)
                // is never run.
                (None, true) => ToolOutput::error(
                    &pending.call,
                    "not run: it needs an approval that was not given",
                ),
                _ => {
                    to_run.push((index, pending.call.clone()));
                    continue;
                }
            };
            emit(RunEvent::ToolOutput(output.clone()));
            pending.output = Some(output);
        }
        self.run_calls(run, to_run, emit).await?;
        run.close_pending("the call produced no output");
        Ok(())
    }

    /// Runs `calls` (each with its index in `run.pending`) concurrently, each in a
    /// `tool_call` span, storing each output in the run as it arrives, so an interruption
    /// (cancel, deadline) loses none that finished.
    async fn run_calls(
        &self,
        run: &mut Run,
        calls: Vec<(usize, ToolCall)>,
        emit: &mut Emit<'_>,
    ) -> Result<(), Interrupt> {
        // The registry current now: calls of one turn run against one set of tools.
        let registry = self.registry.load();
        let registry = &*registry;
        let mut running: FuturesUnordered<_> = calls
            .into_iter()
            .map(|(index, call)| {
                let span = spans::tool(&call);
                async move {
                    let started = Instant::now();
                    let output = registry.dispatch(&call).await;
                    let elapsed = started.elapsed();
                    spans::end_tool(&tracing::Span::current(), &output, || {
                        registry.definition(&call.name).is_some()
                    });
                    tracing::info!(
                        elapsed_ms = elapsed.as_millis() as u64,
                        is_error = output.is_error,
                        "tool call finished"
                    );
                    let timing = ToolTiming {
                        name: call.name,
                        duration: elapsed,
                    };
                    (index, output, timing)
                }
                .instrument(span)
            })
            .collect();
        while let Some((index, output, timing)) =
            race(&run.cancel, run.expires_at, running.next()).await?
        {
            run.tool_timings.push(timing);
            emit(RunEvent::ToolOutput(output.clone()));
            if let Some(pending) = run.pending.get_mut(index) {
                pending.output = Some(output);
            }
        }
        Ok(())
    }
}

/// The calls of the turn that wait for nobody: the loop runs them at once.
fn ready_calls(run: &Run) -> Vec<(usize, ToolCall)> {
    run.pending
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.awaits_caller())
        .map(|(index, p)| (index, p.call.clone()))
        .collect()
}

/// Runs `work` unless the run is cancelled or its deadline passes first.
async fn race<T>(
    cancel: &crate::run::CancelHandle,
    expires_at: Option<SystemTime>,
    work: impl Future<Output = T>,
) -> Result<T, Interrupt> {
    let deadline = async {
        match expires_at {
            Some(at) => {
                let left = at.duration_since(SystemTime::now()).unwrap_or_default();
                tokio::time::sleep(left).await;
            }
            None => future::pending::<()>().await,
        }
    };
    let cancelled = pin!(cancel.cancelled());
    let deadline = pin!(deadline);
    match future::select(pin!(work), future::select(cancelled, deadline)).await {
        Either::Left((done, _)) => Ok(done),
        Either::Right((Either::Left(_), _)) => Err(Interrupt::Cancelled),
        Either::Right((Either::Right(_), _)) => Err(Interrupt::Expired),
    }
}

/// Whether the run must stop before its next step.
fn check(run: &Run) -> Option<Interrupt> {
    if run.cancel.is_cancelled() {
        return Some(Interrupt::Cancelled);
    }
    match run.expires_at {
        Some(at) if SystemTime::now() >= at => Some(Interrupt::Expired),
        _ => None,
    }
}

fn interrupted(run: &mut Run, emit: &mut Emit<'_>, interrupt: Interrupt) {
    match interrupt {
        Interrupt::Cancelled => {
            set_status(run, emit, RunStatus::Cancelling);
            run.answer_unanswered("the run was cancelled before this call finished");
            set_status(run, emit, RunStatus::Cancelled);
        }
        Interrupt::Expired => {
            run.answer_unanswered("the run expired before this call finished");
            run.last_error = Some(RunError::new("expired", "the run's deadline passed"));
            set_status(run, emit, RunStatus::Expired);
        }
    }
}

fn set_status(run: &mut Run, emit: &mut Emit<'_>, status: RunStatus) {
    if run.status != status {
        run.status = status;
        if status.is_terminal() {
            run.ended_at = Some(SystemTime::now());
        }
        emit(RunEvent::Status(status));
    }
}

// The summary of a run the loop drove: what it records (call durations, start and end).
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

    #[tokio::test]
    async fn calls_the_caller_runs_count_without_durations_and_a_waiting_run_has_no_wall_time() {
        let mut registry = ToolRegistry::new();
        registry.register(FetchReport).expect("the tool registers");
        let model = ScriptedModel::new([
            ScriptedReply::tool_calls([("fetch_report", "")]),
            ScriptedReply::text("Here it is."),
        ]);
        let assistant = Assistant::new(model, registry)
            .with_options(crate::run::RunOptions::default().with_mode(crate::run::Mode::Manual));
        let mut run = assistant
            .run(Thread::from(vec![Message::user("Fetch the report")]))
            .await;
        assert_eq!(run.status(), RunStatus::RequiresAction);
        let waiting = run.summary();
        assert_eq!((waiting.turns, waiting.wall_time), (1, None), "not ended");
        assert!(waiting.tools.is_empty(), "no call answered yet");

        let call = run.required_action()[0].clone();
        run.submit_tool_outputs(vec![crate::ToolOutput::success(&call, "report")])
            .expect("the output is taken");
        assistant.drive(&mut run).await;
        let summary = run.summary();
        assert_eq!(summary.status, RunStatus::Completed);
        assert_eq!(
            summary.tools,
            [ToolSummary {
                name: "fetch_report".into(),
                calls: 1,
                errors: 0,
                total_duration: Duration::ZERO,
                max_duration: Duration::ZERO,
            }],
            "the caller ran it: counted, not timed"
        );
        assert!(summary.wall_time.is_some());
    }
}
