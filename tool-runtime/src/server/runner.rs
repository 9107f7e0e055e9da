//! Running an Assistants run with the in-process loop ([`Assistant`], [`Run`]): the plan a
//! run keeps (what rebuilding its assistant needs), and the driver that turns the loop's
//! [`RunEvent`]s into run steps, messages and the stream's events, and stores them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;
use tracing::Instrument;

use super::objects::{self, definition_of, new_id, now, text_content};
use super::store::{Kind, ListQuery, Record, Store, StoreError, Write};
use crate::call::ToolOutput;
use crate::chat::{ChatModel, Message, RequestOptions, ToolChoice};
use crate::registry::ToolRegistry;
use crate::run::{Assistant, CancelHandle, Mode, Run, RunEvent, RunOptions, RunStatus};

/// What the server shares between requests and the runs it drives.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) model: Arc<dyn ChatModel>,
    pub(crate) registry: Arc<ToolRegistry>,
    /// The server tools' names, in registration order.
    pub(crate) server_tools: Vec<String>,
    /// Held while checking a thread has no active run and creating one, so that two
    /// requests cannot both pass the check.
    pub(crate) gate: Mutex<()>,
    /// The runs being driven now, to cancel them.
    pub(crate) active: Mutex<HashMap<String, CancelHandle>>,
    pub(crate) max_turns: u32,
    pub(crate) run_timeout: Duration,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("store", &self.store)
            .field("server_tools", &self.server_tools)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn lock_gate(&self) -> std::sync::MutexGuard<'_, ()> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancelHandle>> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Cancels the run if it is being driven now; whether it was.
    pub(crate) fn cancel_driven(&self, run_id: &str) -> bool {
        match self.active().get(run_id) {
            Some(handle) => {
                handle.cancel();
                true
            }
            None => false,
        }
    }
}

/// What a run keeps beside its object: how to rebuild its assistant, and while it waits
/// for the client, the paused loop.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Plan {
    pub(crate) instructions: Option<String>,
    pub(crate) server_tools: Vec<String>,
    /// The client's function tools, as declared.
    pub(crate) client_tools: Vec<Value>,
    pub(crate) tool_choice: ToolChoice,
    pub(crate) parallel_tool_calls: Option<bool>,
    pub(crate) max_completion_tokens: Option<u32>,
    pub(crate) temperature: Option<f64>,
    pub(crate) top_p: Option<f64>,
    pub(crate) max_turns: u32,
    /// The loop, while the run waits in `requires_action`.
    pub(crate) paused: Option<Run>,
    /// The tool-calls step that waits with it.
    pub(crate) open_step: Option<String>,
}

/// The one place a run's settings become a request's options: tool choice, parallel
/// calls, `max_completion_tokens` as the reply's token cap, and the sampling settings the
/// run or its assistant set (none set: the upstream's defaults).
pub(crate) fn request_options(plan: &Plan) -> RequestOptions {
    let mut options = RequestOptions::default().with_tool_choice(plan.tool_choice.clone());
    if let Some(parallel) = plan.parallel_tool_calls {
        options = options.with_parallel_tool_calls(parallel);
    }
    if let Some(tokens) = plan.max_completion_tokens {
        options = options.with_max_tokens(tokens);
    }
    if let Some(temperature) = plan.temperature {
        options = options.with_temperature(temperature);
    }
    if let Some(top_p) = plan.top_p {
        options = options.with_top_p(top_p);
    }
    options
}

/// The loop's assistant for a run of `plan`: the upstream model, the enabled server tools,
/// the client's tools (whose calls wait for the client).
pub(crate) fn assistant_for(shared: &Shared, plan: &Plan) -> Assistant {
    let registry = shared.registry.subset(|definition| {
        plan.server_tools
            .iter()
            .any(|name| name == definition.name())
    });
    let mut assistant = Assistant::from_shared(shared.model.clone(), Arc::new(registry))
        .with_caller_tools(plan.client_tools.iter().map(definition_of))
        .with_options(
            RunOptions::default()
                .with_mode(Mode::Automatic)
                .with_max_turns(plan.max_turns)
                .with_deadline(shared.run_timeout)
                .with_request(request_options(plan)),
        );
    if let Some(instructions) = &plan.instructions {
        assistant = assistant.with_instructions(instructions.clone());
    }
    assistant
}

/// One event of a run's stream.
#[derive(Debug)]
pub(crate) enum StreamEvent {
    /// `event: NAME`, `data: JSON`.
    Event(&'static str, Value),
    /// `event: done`, `data: [DONE]`.
    Done,
}

/// A tool call of the open tool-calls step.
#[derive(Debug)]
struct CallEntry {
    id: String,
    name: String,
    arguments: String,
    output: Option<String>,
    /// Whether the stream has announced it.
    shown: bool,
}

#[derive(Debug)]
struct OpenMessage {
    message: Value,
    step: Value,
    text: String,
}

#[derive(Debug)]
struct OpenTools {
    step: Value,
    calls: Vec<CallEntry>,
    /// The call whose pieces the stream passes on as they come; the others' wait until
    /// the model's message is done, so that calls stream one after another.
    live: Option<usize>,
}

/// Drives one run and keeps its objects.
#[derive(Debug)]
pub(crate) struct Driver {
    shared: Arc<Shared>,
    run: Value,
    plan: Plan,
    events: Option<UnboundedSender<StreamEvent>>,
    message: Option<OpenMessage>,
    tools: Option<OpenTools>,
    /// Whether the caller holds the server's gate (a request handler acting on a waiting
    /// run); otherwise each commit takes it, so that a handler's read-modify-write of the
    /// run (metadata) never overwrites what the driver wrote.
    pub(crate) holding_gate: bool,
}

impl Driver {
    pub(crate) fn new(
        shared: Arc<Shared>,
        run: Value,
        plan: Plan,
        events: Option<UnboundedSender<StreamEvent>>,
    ) -> Self {
        Self {
            shared,
            run,
            plan,
            events,
            message: None,
            tools: None,
            holding_gate: false,
        }
    }

    fn id(&self) -> String {
        self.run["id"].as_str().unwrap_or_default().to_owned()
    }

    fn thread_id(&self) -> String {
        self.run["thread_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn emit(&self, name: &'static str, data: Value) {
        if let Some(events) = &self.events {
            // The client may have gone: the run goes on without it.
            let _ = events.send(StreamEvent::Event(name, data));
        }
    }

    fn run_record(&self) -> Record {
        let state = serde_json::to_value(&self.plan).ok();
        Record::new(self.id(), self.run.clone())
            .on_thread(self.thread_id())
            .with_state(state)
    }

    fn step_record(&self, step: &Value) -> Record {
        Record::new(step["id"].as_str().unwrap_or_default(), step.clone())
            .on_thread(self.thread_id())
            .of_run(Some(self.id()))
    }

    fn commit(&self, writes: Vec<Write>) {
        let _gate = (!self.holding_gate).then(|| self.shared.lock_gate());
        if let Err(error) = self.shared.store.commit(writes) {
            // Nothing half-written; the run's object may lag behind what the stream said,
            // and the stream's client is told so.
            tracing::error!(run.id = %self.id(), "assistants: storing the run failed: {error}");
            self.emit(
                "error",
                json!({"message": error.to_string(), "type": "server_error", "param": null, "code": null}),
            );
        }
    }

    fn new_step(&self, kind: &str, details: Value) -> Value {
        json!({
            "id": new_id("step"),
            "object": "thread.run.step",
            "created_at": now(),
            "run_id": self.run["id"],
            "assistant_id": self.run["assistant_id"],
            "thread_id": self.run["thread_id"],
            "type": kind,
            "status": "in_progress",
            "cancelled_at": null,
            "completed_at": null,
            "expired_at": null,
            "failed_at": null,
            "last_error": null,
            "step_details": details,
            "usage": null,
            "metadata": {},
        })
    }

    /// Picks up the tool-calls step a paused run waits with, with the outputs the client
    /// submitted (call id -> output text).
    pub(crate) fn resume_step(
        &mut self,
        submitted: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        let Some(step_id) = self.plan.open_step.take() else {
            return Ok(());
        };
        let Some(record) = self.shared.store.get(Kind::Step, &step_id)? else {
            return Ok(());
        };
        let step = record.body;
        let calls = step["step_details"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|call| {
                let id = call["id"].as_str().unwrap_or_default().to_owned();
                let output = submitted
                    .get(&id)
                    .cloned()
                    .or_else(|| call["function"]["output"].as_str().map(str::to_owned));
                CallEntry {
                    name: call["function"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    arguments: call["function"]["arguments"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    id,
                    output,
                    shown: true,
                }
            })
            .collect();
        self.tools = Some(OpenTools {
            step,
            calls,
            live: None,
        });
        Ok(())
    }

    /// Marks the run queued (after the client submitted), and completes the step it
    /// waited with when every call of it has its output.
    pub(crate) fn queued(&mut self) {
        self.run["status"] = json!("queued");
        self.run["required_action"] = Value::Null;
        let done = self.complete_tools_if_done();
        let mut writes = vec![Write::Put(Kind::Run, self.run_record())];
        if let Some(step) = &done {
            writes.push(Write::Put(Kind::Step, self.step_record(step)));
        }
        self.commit(writes);
        self.emit("thread.run.queued", self.run.clone());
        if let Some(step) = done {
            self.emit("thread.run.step.completed", step);
        }
    }

    /// Drives `run` on a task of its own; it can be cancelled from now on (before the
    /// task is first polled too).
    pub(crate) fn spawn(mut self, assistant: Assistant, run: Run) {
        self.holding_gate = false;
        self.shared.active().insert(self.id(), run.cancel_handle());
        tokio::spawn(self.drive(assistant, run));
    }

    /// Drives `run` with `assistant` to its pause or end, storing and streaming what
    /// happens; then says `done` to the stream.
    pub(crate) async fn drive(mut self, assistant: Assistant, mut run: Run) {
        let id = self.id();
        self.shared.active().insert(id.clone(), run.cancel_handle());
        let span =
            tracing::info_span!("assistants_run", run.id = %id, thread.id = %self.thread_id());
        async {
            let mut events = assistant.events(&mut run);
            while let Some(event) = events.next().await {
                self.on_event(event);
            }
        }
        .instrument(span.clone())
        .await;
        span.in_scope(|| self.finish(&run));
        self.shared.active().remove(&id);
        if let Some(events) = &self.events {
            let _ = events.send(StreamEvent::Done);
        }
    }

    fn on_event(&mut self, event: RunEvent) {
        match event {
            RunEvent::Status(RunStatus::InProgress) => {
                self.run["status"] = json!("in_progress");
                if self.run["started_at"].is_null() {
                    self.run["started_at"] = json!(now());
                }
                self.commit(vec![Write::Put(Kind::Run, self.run_record())]);
                self.emit("thread.run.in_progress", self.run.clone());
            }
            RunEvent::Status(RunStatus::Cancelling) => {
                self.run["status"] = json!("cancelling");
                self.commit(vec![Write::Put(Kind::Run, self.run_record())]);
                self.emit("thread.run.cancelling", self.run.clone());
            }
            RunEvent::TextDelta(text) => self.on_text(text),
            RunEvent::ToolCallCreated { id, name } => self.on_call_created(id, name),
            RunEvent::ToolCallDelta { id, arguments } => self.on_call_delta(&id, arguments),
            RunEvent::MessageDone(message) => self.on_message_done(message),
            RunEvent::ToolOutput(output) => self.on_output(&output),
            // The rest is read from the run when it stops.
            _ => {}
        }
    }

    fn open_message(&mut self) {
        if self.message.is_some() {
            return;
        }
        self.settle_tools();
        let message_id = new_id("msg");
        let step = self.new_step(
            "message_creation",
            json!({"type": "message_creation", "message_creation": {"message_id": message_id}}),
        );
        let message = json!({
            "id": message_id,
            "object": "thread.message",
            "created_at": now(),
            "thread_id": self.run["thread_id"],
            "status": "in_progress",
            "incomplete_details": null,
            "completed_at": null,
            "incomplete_at": null,
            "role": "assistant",
            "content": [],
            "assistant_id": self.run["assistant_id"],
            "run_id": self.run["id"],
            "attachments": [],
            "metadata": {},
        });
        self.emit("thread.run.step.created", step.clone());
        self.emit("thread.run.step.in_progress", step.clone());
        self.emit("thread.message.created", message.clone());
        self.emit("thread.message.in_progress", message.clone());
        self.message = Some(OpenMessage {
            message,
            step,
            text: String::new(),
        });
    }

    fn on_text(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        self.open_message();
        let Some(open) = &mut self.message else {
            return;
        };
        open.text.push_str(&text);
        let delta = json!({
            "id": open.message["id"],
            "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": text, "annotations": []}}]},
        });
        self.emit("thread.message.delta", delta);
    }

    /// Completes the open message (with `text` when the model's final message gives it)
    /// and its step, in one transaction.
    fn close_message(&mut self, text: Option<&str>, status: &str) {
        let Some(mut open) = self.message.take() else {
            return;
        };
        let at = now();
        let text = text.map_or(open.text, str::to_owned);
        open.message["content"] = text_content(&text);
        open.message["status"] = json!(status);
        let step_status = if status == "completed" {
            "completed"
        } else {
            "failed"
        };
        open.step["status"] = json!(step_status);
        if status == "completed" {
            open.message["completed_at"] = json!(at);
            open.step["completed_at"] = json!(at);
        } else {
            open.message["incomplete_at"] = json!(at);
            open.message["incomplete_details"] = json!({"reason": "run_failed"});
            open.step["failed_at"] = json!(at);
        }
        let message = Record::new(
            open.message["id"].as_str().unwrap_or_default(),
            open.message.clone(),
        )
        .on_thread(self.thread_id())
        .of_run(Some(self.id()));
        self.commit(vec![
            Write::Put(Kind::Message, message),
            Write::Put(Kind::Step, self.step_record(&open.step)),
        ]);
        let event = if status == "completed" {
            "thread.message.completed"
        } else {
            "thread.message.incomplete"
        };
        self.emit(event, open.message);
        let step_event = if step_status == "completed" {
            "thread.run.step.completed"
        } else {
            "thread.run.step.failed"
        };
        self.emit(step_event, open.step);
    }

    fn open_tools(&mut self) {
        if self.tools.is_some() {
            return;
        }
        self.close_message(None, "completed");
        let step = self.new_step(
            "tool_calls",
            json!({"type": "tool_calls", "tool_calls": []}),
        );
        self.emit("thread.run.step.created", step.clone());
        self.emit("thread.run.step.in_progress", step.clone());
        self.tools = Some(OpenTools {
            step,
            calls: Vec::new(),
            live: None,
        });
    }

    fn call_delta(&self, step: &Value, index: usize, call: &CallEntry, first: bool, piece: &str) {
        self.emit(
            "thread.run.step.delta",
            tool_delta(step, index, call, first, piece),
        );
    }

    fn on_call_created(&mut self, id: String, name: String) {
        self.open_tools();
        let Some(tools) = &mut self.tools else {
            return;
        };
        let index = tools.calls.len();
        let live = *tools.live.get_or_insert(index) == index;
        tools.calls.push(CallEntry {
            id,
            name,
            arguments: String::new(),
            output: None,
            shown: live,
        });
        if live {
            let delta = tool_delta(&tools.step, index, &tools.calls[index], true, "");
            self.emit("thread.run.step.delta", delta);
        }
    }

    fn on_call_delta(&mut self, id: &str, arguments: String) {
        let Some(tools) = &mut self.tools else {
            return;
        };
        let Some(index) = tools.calls.iter().position(|call| call.id == id) else {
            return;
        };
        tools.calls[index].arguments.push_str(&arguments);
        if tools.live == Some(index) {
            let delta = tool_delta(&tools.step, index, &tools.calls[index], false, &arguments);
            self.emit("thread.run.step.delta", delta);
        }
    }

    fn on_message_done(&mut self, message: Message) {
        let Message::Assistant {
            content,
            tool_calls,
        } = message
        else {
            return;
        };
        if let Some(text) = content.as_deref().filter(|text| !text.is_empty()) {
            if self.message.is_none() && self.tools.is_none() {
                self.on_text(text.to_owned());
            }
            self.close_message(Some(text), "completed");
        } else {
            self.close_message(None, "completed");
        }
        if tool_calls.is_empty() {
            return;
        }
        self.open_tools();
        let Some(mut tools) = self.tools.take() else {
            return;
        };
        // The finished message is the truth (ids made unique, empty arguments as `{}`);
        // the calls the stream has not shown yet are shown now, one after another.
        for (index, call) in tool_calls.iter().enumerate() {
            if index >= tools.calls.len() {
                tools.calls.push(CallEntry {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    arguments: String::new(),
                    output: None,
                    shown: false,
                });
            }
            let entry = &mut tools.calls[index];
            entry.id = call.id.clone();
            entry.name = call.name.clone();
            if entry.shown {
                if let Some(rest) = call.arguments.strip_prefix(entry.arguments.as_str()) {
                    if !rest.is_empty() {
                        let entry = &tools.calls[index];
                        self.call_delta(&tools.step, index, entry, false, rest);
                    }
                }
            } else {
                entry.shown = true;
                let entry = &tools.calls[index];
                self.call_delta(&tools.step, index, entry, true, "");
                if !call.arguments.is_empty() {
                    self.call_delta(&tools.step, index, entry, false, &call.arguments);
                }
            }
            tools.calls[index].arguments = call.arguments.clone();
        }
        tools.calls.truncate(tool_calls.len());
        tools.live = None;
        self.tools = Some(tools);
    }

    fn on_output(&mut self, output: &ToolOutput) {
        let Some(tools) = &mut self.tools else {
            return;
        };
        if let Some(call) = tools
            .calls
            .iter_mut()
            .find(|call| call.id == output.tool_call_id)
        {
            call.output = Some(output.content.clone());
        }
        if let Some(step) = self.complete_tools_if_done() {
            self.commit(vec![Write::Put(Kind::Step, self.step_record(&step))]);
            self.emit("thread.run.step.completed", step);
        }
    }

    /// The open tool step's details, with the outputs known so far.
    fn tool_details(tools: &OpenTools) -> Value {
        let calls: Vec<Value> = tools
            .calls
            .iter()
            .map(|call| {
                json!({
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments, "output": call.output},
                })
            })
            .collect();
        json!({"type": "tool_calls", "tool_calls": calls})
    }

    /// The completed step, when the open tool step has every output (and closes it).
    fn complete_tools_if_done(&mut self) -> Option<Value> {
        let tools = self.tools.as_ref()?;
        if tools.calls.is_empty() || tools.calls.iter().any(|call| call.output.is_none()) {
            return None;
        }
        let tools = self.tools.take()?;
        let mut step = tools.step.clone();
        step["step_details"] = Self::tool_details(&tools);
        step["status"] = json!("completed");
        step["completed_at"] = json!(now());
        Some(step)
    }

    /// Before the model's next message: the previous turn's step is over; outputs the
    /// loop gave without an event (calls it closed itself) are read from `thread`.
    fn settle_tools(&mut self) {
        if let Some(step) = self.close_tools_from(None, "completed") {
            self.emit("thread.run.step.completed", step);
        }
    }

    /// Closes the open tool step with `status`, filling missing outputs from the thread's
    /// tool messages; stores it and returns it.
    fn close_tools_from(&mut self, thread: Option<&[Message]>, status: &str) -> Option<Value> {
        let mut tools = self.tools.take()?;
        for call in &mut tools.calls {
            if call.output.is_none() {
                call.output = thread.and_then(|messages| {
                    messages.iter().find_map(|message| match message {
                        Message::Tool {
                            tool_call_id,
                            content,
                            ..
                        } if *tool_call_id == call.id => Some(content.clone()),
                        _ => None,
                    })
                });
            }
        }
        let mut step = tools.step.clone();
        step["step_details"] = Self::tool_details(&tools);
        step["status"] = json!(status);
        let at_field = match status {
            "completed" => "completed_at",
            "cancelled" => "cancelled_at",
            "expired" => "expired_at",
            _ => "failed_at",
        };
        step[at_field] = json!(now());
        self.commit(vec![Write::Put(Kind::Step, self.step_record(&step))]);
        Some(step)
    }

    /// The run stopped: waiting for the client, or ended. Stores the run with its open
    /// step in one transaction, and says so to the stream.
    fn finish(&mut self, run: &Run) {
        let status = run.status();
        let at = now();
        if self.message.is_some() {
            let done = matches!(status, RunStatus::Completed | RunStatus::RequiresAction);
            self.close_message(None, if done { "completed" } else { "incomplete" });
        }
        let usage = run.usage();
        self.run["usage"] = json!({
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total(),
        });
        let mut writes = Vec::new();
        let event = match status {
            RunStatus::RequiresAction => {
                let calls: Vec<Value> = run
                    .required_action()
                    .into_iter()
                    .map(|call| {
                        json!({
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": call.arguments},
                        })
                    })
                    .collect();
                self.run["required_action"] = json!({
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {"tool_calls": calls},
                });
                if let Some(tools) = &self.tools {
                    let mut step = tools.step.clone();
                    step["step_details"] = Self::tool_details(tools);
                    self.plan.open_step = step["id"].as_str().map(str::to_owned);
                    writes.push(Write::Put(Kind::Step, self.step_record(&step)));
                }
                self.tools = None;
                self.plan.paused = Some(run.clone());
                "thread.run.requires_action"
            }
            terminal => {
                let (name, step_status, field) = match terminal {
                    RunStatus::Completed => ("completed", "completed", "completed_at"),
                    RunStatus::Cancelled => ("cancelled", "cancelled", "cancelled_at"),
                    RunStatus::Expired => ("expired", "expired", "expired_at"),
                    RunStatus::Incomplete => ("incomplete", "completed", "completed_at"),
                    _ => ("failed", "failed", "failed_at"),
                };
                if let Some(step) =
                    self.close_tools_from(Some(run.thread().messages()), step_status)
                {
                    self.emit(step_event(step_status), step);
                }
                self.run["required_action"] = Value::Null;
                // A run has no `expired_at`: its `expires_at` says when.
                if terminal != RunStatus::Expired {
                    self.run[field] = json!(at);
                }
                self.plan.paused = None;
                self.plan.open_step = None;
                match terminal {
                    RunStatus::Failed => {
                        let message = run
                            .last_error()
                            .map_or("the run failed".to_owned(), |error| error.message.clone());
                        let code = if message.contains(" 429") {
                            "rate_limit_exceeded"
                        } else {
                            "server_error"
                        };
                        self.run["last_error"] = json!({"code": code, "message": message});
                    }
                    RunStatus::Incomplete => {
                        let reason = match run.last_error().map(|error| error.code.as_str()) {
                            Some("max_tokens") => "max_completion_tokens",
                            _ => "max_turns",
                        };
                        self.run["incomplete_details"] = json!({"reason": reason});
                    }
                    _ => {}
                }
                self.run["status"] = json!(name);
                match name {
                    "completed" => "thread.run.completed",
                    "cancelled" => "thread.run.cancelled",
                    "expired" => "thread.run.expired",
                    "incomplete" => "thread.run.incomplete",
                    _ => "thread.run.failed",
                }
            }
        };
        if status == RunStatus::RequiresAction {
            self.run["status"] = json!("requires_action");
        }
        writes.push(Write::Put(Kind::Run, self.run_record()));
        self.commit(writes);
        tracing::info!(status = ?status, "assistants: the run stopped");
        self.emit(event, self.run.clone());
    }

    /// Sets the run cancelled at once (it waited for the client: nothing drives it), with
    /// its open step, in one transaction.
    pub(crate) fn cancel_paused(mut self, mut run: Run) -> Value {
        self.holding_gate = true;
        run.cancel();
        // The step it waited with: its calls are answered as cancelled.
        if let Err(error) = self.resume_step(&HashMap::new()) {
            tracing::error!("assistants: reading a run's step failed: {error}");
        }
        self.finish(&run);
        self.run
    }
}

/// A `thread.run.step.delta` of one tool call: the first names it, with empty arguments;
/// the others carry a piece of its arguments.
fn tool_delta(step: &Value, index: usize, call: &CallEntry, first: bool, piece: &str) -> Value {
    let function = if first {
        json!({"name": call.name, "arguments": "", "output": null})
    } else {
        json!({"arguments": piece})
    };
    let mut entry = json!({"index": index, "type": "function", "function": function});
    if first {
        entry["id"] = json!(call.id);
    }
    json!({
        "id": step["id"],
        "object": "thread.run.step.delta",
        "delta": {"step_details": {"type": "tool_calls", "tool_calls": [entry]}},
    })
}

fn step_event(status: &str) -> &'static str {
    match status {
        "completed" => "thread.run.step.completed",
        "cancelled" => "thread.run.step.cancelled",
        "expired" => "thread.run.step.expired",
        _ => "thread.run.step.failed",
    }
}

/// At startup: the runs the previous process was driving end `failed`, saying why, with
/// their open steps.
pub(crate) fn recover(store: &dyn Store) -> Result<usize, StoreError> {
    let runs = store.unfinished_runs()?;
    let at = now();
    for mut record in runs.iter().cloned() {
        let cancelling = record.status() == Some("cancelling");
        let mut writes = Vec::new();
        let mut query = ListQuery::all(Kind::Step);
        query.run_id = Some(record.id.clone());
        for mut step in store.list(&query)?.records {
            if step.status() == Some("in_progress") {
                step.body["status"] = json!(if cancelling { "cancelled" } else { "failed" });
                step.body[if cancelling {
                    "cancelled_at"
                } else {
                    "failed_at"
                }] = json!(at);
                writes.push(Write::Put(Kind::Step, step));
            }
        }
        if cancelling {
            record.body["status"] = json!("cancelled");
            record.body["cancelled_at"] = json!(at);
        } else {
            record.body["status"] = json!("failed");
            record.body["failed_at"] = json!(at);
            record.body["last_error"] = json!({
                "code": "server_error",
                "message": "The server stopped while this run was in progress; it was not resumed.",
            });
        }
        if let Some(state) = &mut record.state {
            state["paused"] = Value::Null;
        }
        writes.push(Write::Put(Kind::Run, record));
        store.commit(writes)?;
    }
    Ok(runs.len())
}

/// The thread's messages as the model reads them, oldest first.
pub(crate) fn thread_messages(
    store: &dyn Store,
    thread_id: &str,
) -> Result<Vec<Message>, StoreError> {
    let mut query = ListQuery::all(Kind::Message);
    query.thread_id = Some(thread_id.to_owned());
    Ok(store
        .list(&query)?
        .records
        .iter()
        .filter_map(|record| objects::chat_message(&record.body))
        .collect())
}

impl Driver {
    /// The run's object as it stands.
    pub(crate) fn run_object(&self) -> Value {
        self.run.clone()
    }
}
