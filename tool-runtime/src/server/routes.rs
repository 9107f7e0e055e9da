//! The endpoints under `/v1`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use super::error::{clip, ApiError};
use super::objects::{self, message_object, metadata, new_id, now, parse, NewMessage};
use super::runner::{self, assistant_for, Driver, Plan, Shared, StreamEvent};
use super::store::{Kind, ListQuery, Record, Write};
use crate::call::ToolOutput;
use crate::run::{Run, SubmitError, Thread};

type Answer = Result<Response, ApiError>;
type App = State<Arc<Shared>>;

/// The router of every endpoint.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/v1/assistants",
            post(create_assistant).get(list_assistants),
        )
        .route(
            "/v1/assistants/{id}",
            get(get_assistant)
                .post(modify_assistant)
                .delete(delete_assistant),
        )
        .route("/v1/threads", post(create_thread))
        .route("/v1/threads/runs", post(create_thread_and_run))
        .route(
            "/v1/threads/{id}",
            get(get_thread).post(modify_thread).delete(delete_thread),
        )
        .route(
            "/v1/threads/{id}/messages",
            post(create_message).get(list_messages),
        )
        .route(
            "/v1/threads/{id}/messages/{message}",
            get(get_message).post(modify_message).delete(delete_message),
        )
        .route("/v1/threads/{id}/runs", post(create_run).get(list_runs))
        .route("/v1/threads/{id}/runs/{run}", get(get_run).post(modify_run))
        .route("/v1/threads/{id}/runs/{run}/cancel", post(cancel_run))
        .route(
            "/v1/threads/{id}/runs/{run}/submit_tool_outputs",
            post(submit_tool_outputs),
        )
        .route("/v1/threads/{id}/runs/{run}/steps", get(list_steps))
        .route("/v1/threads/{id}/runs/{run}/steps/{step}", get(get_step))
        .with_state(shared)
}

fn ok(value: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A run's events as server-sent events; the body ends after `done`.
fn sse(mut events: mpsc::UnboundedReceiver<StreamEvent>) -> Response {
    let mut ended = false;
    let frames = stream::poll_fn(move |cx| {
        if ended {
            return std::task::Poll::Ready(None);
        }
        events.poll_recv(cx).map(|event| {
            let frame = match event? {
                StreamEvent::Event(name, data) => format!("event: {name}\ndata: {data}\n\n"),
                StreamEvent::Done => {
                    ended = true;
                    "event: done\ndata: [DONE]\n\n".to_owned()
                }
            };
            Some(Ok::<_, Infallible>(Bytes::from(frame)))
        })
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(frames),
    )
        .into_response()
}

fn load(shared: &Shared, kind: Kind, what: &str, id: &str) -> Result<Record, ApiError> {
    shared
        .store
        .get(kind, id)?
        .ok_or_else(|| ApiError::not_found(what, id))
}

/// A record on `thread_id` (a message, a run): 404 when it is on another.
fn load_on(
    shared: &Shared,
    kind: Kind,
    what: &str,
    thread_id: &str,
    id: &str,
) -> Result<Record, ApiError> {
    load(shared, Kind::Thread, "thread", thread_id)?;
    let record = load(shared, kind, what, id)?;
    if record.thread_id.as_deref() != Some(thread_id) {
        return Err(ApiError::not_found(what, id));
    }
    Ok(record)
}

// ---- pagination

#[derive(Debug, Deserialize)]
struct ListParams {
    limit: Option<String>,
    order: Option<String>,
    after: Option<String>,
    before: Option<String>,
    run_id: Option<String>,
}

fn list_query(
    kind: Kind,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<(ListQuery, Option<String>), ApiError> {
    let Query(params) = params.map_err(|error| {
        ApiError::invalid(format!("Invalid query: {}", clip(&error.body_text())))
    })?;
    let limit = match params.limit.as_deref() {
        None => 20,
        Some(text) => match text.parse::<usize>() {
            Ok(limit @ 1..=100) => limit,
            _ => {
                return Err(ApiError::param(
                    "limit",
                    format!(
                        "Invalid 'limit': '{}'; expected an integer from 1 to 100.",
                        clip(text)
                    ),
                ))
            }
        },
    };
    let descending = match params.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(ApiError::param(
                "order",
                format!(
                    "Invalid 'order': '{}'; expected 'asc' or 'desc'.",
                    clip(other)
                ),
            ))
        }
    };
    let mut query = ListQuery::all(kind);
    query.limit = limit;
    query.descending = descending;
    query.after = params.after;
    query.before = params.before;
    Ok((query, params.run_id))
}

fn page(shared: &Shared, query: &ListQuery) -> Answer {
    let page = shared.store.list(query)?;
    let data = page.records.into_iter().map(|record| record.body).collect();
    Ok(ok(&objects::list_object(data, page.has_more)))
}

// ---- assistants

#[derive(Debug, Deserialize)]
struct AssistantBody {
    model: Option<String>,
    name: Option<String>,
    description: Option<String>,
    instructions: Option<String>,
    tools: Option<Vec<Value>>,
    metadata: Option<Map<String, Value>>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    response_format: Option<Value>,
}

fn check_text(param: &str, text: &Option<String>, max: usize) -> Result<(), ApiError> {
    match text {
        Some(text) if text.chars().count() > max => Err(ApiError::param(
            param,
            format!("'{param}' may have at most {max} characters."),
        )),
        _ => Ok(()),
    }
}

fn check_sampling(temperature: Option<f64>, top_p: Option<f64>) -> Result<(), ApiError> {
    if temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
        return Err(ApiError::param(
            "temperature",
            "'temperature' must be from 0 to 2.",
        ));
    }
    if top_p.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(ApiError::param("top_p", "'top_p' must be from 0 to 1."));
    }
    Ok(())
}

/// The server tools `metadata` enables, checked against the function tools' names.
fn enabled_server_tools(
    shared: &Shared,
    metadata: &Value,
    tools: &[Value],
) -> Result<Vec<String>, ApiError> {
    let names = objects::server_tool_names(metadata, &shared.server_tools)?;
    for tool in tools {
        let name = tool["function"]["name"].as_str().unwrap_or_default();
        if names.iter().any(|server| server == name) {
            return Err(ApiError::param(
                "tools",
                format!("The function tool '{name}' has the name of a server tool the assistant enables."),
            ));
        }
    }
    Ok(names)
}

fn apply_assistant(
    shared: &Shared,
    object: &mut Value,
    body: AssistantBody,
) -> Result<(), ApiError> {
    check_text("name", &body.name, 256)?;
    check_text("description", &body.description, 512)?;
    check_text("instructions", &body.instructions, 256_000)?;
    check_sampling(body.temperature, body.top_p)?;
    if let Some(model) = body.model {
        object["model"] = json!(model);
    }
    for (key, value) in [
        ("name", body.name),
        ("description", body.description),
        ("instructions", body.instructions),
    ] {
        if let Some(value) = value {
            object[key] = json!(value);
        }
    }
    if let Some(tools) = body.tools {
        object["tools"] = Value::Array(objects::tools(tools, "tools")?);
    }
    if let Some(metadata) = metadata(body.metadata)? {
        object["metadata"] = metadata;
    }
    if let Some(t) = body.temperature {
        object["temperature"] = json!(t);
    }
    if let Some(p) = body.top_p {
        object["top_p"] = json!(p);
    }
    if let Some(format) = body.response_format {
        if format != json!("auto") && format != json!({"type": "text"}) {
            return Err(ApiError::param(
                "response_format",
                "Only 'auto' and text responses are supported.",
            ));
        }
    }
    let tools: Vec<Value> = object["tools"].as_array().cloned().unwrap_or_default();
    enabled_server_tools(shared, &object["metadata"], &tools)?;
    Ok(())
}

async fn create_assistant(State(shared): App, body: Bytes) -> Answer {
    let body: AssistantBody = parse(&body)?;
    if body.model.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::param(
            "model",
            "Missing required parameter: 'model'.",
        ));
    }
    let id = new_id("asst");
    let mut object = json!({
        "id": id, "object": "assistant", "created_at": now(), "name": null,
        "description": null, "model": "", "instructions": null, "tools": [],
        "tool_resources": {}, "metadata": {}, "temperature": null, "top_p": null,
        "response_format": "auto",
    });
    apply_assistant(&shared, &mut object, body)?;
    shared.store.commit(vec![Write::Put(
        Kind::Assistant,
        Record::new(&id, object.clone()),
    )])?;
    Ok(ok(&object))
}

async fn get_assistant(State(shared): App, Path(id): Path<String>) -> Answer {
    Ok(ok(&load(&shared, Kind::Assistant, "assistant", &id)?.body))
}

async fn modify_assistant(State(shared): App, Path(id): Path<String>, body: Bytes) -> Answer {
    let body: AssistantBody = parse(&body)?;
    let mut record = load(&shared, Kind::Assistant, "assistant", &id)?;
    apply_assistant(&shared, &mut record.body, body)?;
    let object = record.body.clone();
    shared
        .store
        .commit(vec![Write::Put(Kind::Assistant, record)])?;
    Ok(ok(&object))
}

async fn delete_assistant(State(shared): App, Path(id): Path<String>) -> Answer {
    load(&shared, Kind::Assistant, "assistant", &id)?;
    shared
        .store
        .commit(vec![Write::Delete(Kind::Assistant, id.clone())])?;
    Ok(ok(&objects::deleted(&id, "assistant")))
}

async fn list_assistants(
    State(shared): App,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Answer {
    let (query, _) = list_query(Kind::Assistant, params)?;
    page(&shared, &query)
}

// ---- threads

#[derive(Debug, Default, Deserialize)]
struct ThreadBody {
    messages: Option<Vec<NewMessage>>,
    metadata: Option<Map<String, Value>>,
    tool_resources: Option<Value>,
}

/// A new thread's object and the writes that create it with its messages.
fn new_thread(body: ThreadBody, param: &str) -> Result<(Value, Vec<Write>), ApiError> {
    if body
        .tool_resources
        .as_ref()
        .is_some_and(|value| !value.is_null() && value != &json!({}))
    {
        return Err(ApiError::param(
            format!("{param}tool_resources"),
            "tool_resources need file_search or code_interpreter, which this server does not have.",
        ));
    }
    let id = new_id("thread");
    let thread = json!({
        "id": id, "object": "thread", "created_at": now(),
        "metadata": metadata(body.metadata)?.unwrap_or_else(|| json!({})),
        "tool_resources": {},
    });
    let mut writes = vec![Write::Put(Kind::Thread, Record::new(&id, thread.clone()))];
    for (index, message) in body.messages.unwrap_or_default().into_iter().enumerate() {
        let message = message_object(message, &id, &format!("{param}messages[{index}]"))?;
        writes.push(Write::Put(
            Kind::Message,
            Record::new(
                message["id"].as_str().unwrap_or_default().to_owned(),
                message,
            )
            .on_thread(&id),
        ));
    }
    Ok((thread, writes))
}

async fn create_thread(State(shared): App, body: Bytes) -> Answer {
    let (thread, writes) = new_thread(parse(&body)?, "")?;
    // The thread and its messages, all or none.
    shared.store.commit(writes)?;
    Ok(ok(&thread))
}

async fn get_thread(State(shared): App, Path(id): Path<String>) -> Answer {
    Ok(ok(&load(&shared, Kind::Thread, "thread", &id)?.body))
}

#[derive(Debug, Deserialize)]
struct MetadataBody {
    metadata: Option<Map<String, Value>>,
}

fn modify_metadata(shared: &Shared, kind: Kind, mut record: Record, body: &[u8]) -> Answer {
    let body: MetadataBody = parse(body)?;
    if let Some(metadata) = metadata(body.metadata)? {
        record.body["metadata"] = metadata;
    }
    let object = record.body.clone();
    shared.store.commit(vec![Write::Put(kind, record)])?;
    Ok(ok(&object))
}

async fn modify_thread(State(shared): App, Path(id): Path<String>, body: Bytes) -> Answer {
    let record = load(&shared, Kind::Thread, "thread", &id)?;
    modify_metadata(&shared, Kind::Thread, record, &body)
}

async fn delete_thread(State(shared): App, Path(id): Path<String>) -> Answer {
    load(&shared, Kind::Thread, "thread", &id)?;
    let _gate = shared.lock_gate();
    if let Some(run) = shared.store.active_run(&id)? {
        return Err(ApiError::invalid(format!(
            "Thread {id} has an active run {}; cancel it first.",
            run.id
        )));
    }
    shared
        .store
        .commit(vec![Write::Delete(Kind::Thread, id.clone())])?;
    Ok(ok(&objects::deleted(&id, "thread")))
}

// ---- messages

async fn create_message(State(shared): App, Path(thread): Path<String>, body: Bytes) -> Answer {
    load(&shared, Kind::Thread, "thread", &thread)?;
    let message = message_object(parse(&body)?, &thread, "")?;
    let _gate = shared.lock_gate();
    if let Some(run) = shared.store.active_run(&thread)? {
        return Err(ApiError::invalid(format!(
            "Can't add messages to {thread} while a run {} is active.",
            run.id
        )));
    }
    let record =
        Record::new(message["id"].as_str().unwrap_or_default(), message.clone()).on_thread(&thread);
    shared
        .store
        .commit(vec![Write::Put(Kind::Message, record)])?;
    Ok(ok(&message))
}

async fn get_message(State(shared): App, Path((thread, id)): Path<(String, String)>) -> Answer {
    Ok(ok(&load_on(
        &shared,
        Kind::Message,
        "message",
        &thread,
        &id,
    )?
    .body))
}

async fn modify_message(
    State(shared): App,
    Path((thread, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let record = load_on(&shared, Kind::Message, "message", &thread, &id)?;
    modify_metadata(&shared, Kind::Message, record, &body)
}

async fn delete_message(State(shared): App, Path((thread, id)): Path<(String, String)>) -> Answer {
    load_on(&shared, Kind::Message, "message", &thread, &id)?;
    shared
        .store
        .commit(vec![Write::Delete(Kind::Message, id.clone())])?;
    Ok(ok(&objects::deleted(&id, "thread.message")))
}

async fn list_messages(
    State(shared): App,
    Path(thread): Path<String>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Answer {
    load(&shared, Kind::Thread, "thread", &thread)?;
    let (mut query, run_id) = list_query(Kind::Message, params)?;
    query.thread_id = Some(thread);
    query.run_id = run_id;
    page(&shared, &query)
}

// ---- runs

#[derive(Debug, Deserialize)]
struct RunBody {
    assistant_id: Option<String>,
    model: Option<String>,
    instructions: Option<String>,
    additional_instructions: Option<String>,
    additional_messages: Option<Vec<NewMessage>>,
    tools: Option<Vec<Value>>,
    metadata: Option<Map<String, Value>>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    stream: Option<bool>,
    max_prompt_tokens: Option<u64>,
    max_completion_tokens: Option<u64>,
    tool_choice: Option<Value>,
    parallel_tool_calls: Option<bool>,
    response_format: Option<Value>,
    /// `threads/runs` only.
    thread: Option<ThreadBody>,
}

/// The run's object and plan, from its request and its assistant.
fn plan_run(
    shared: &Shared,
    thread_id: &str,
    body: &mut RunBody,
) -> Result<(Value, Plan), ApiError> {
    let assistant_id = body.assistant_id.clone().ok_or_else(|| {
        ApiError::param(
            "assistant_id",
            "Missing required parameter: 'assistant_id'.",
        )
    })?;
    let assistant = load(shared, Kind::Assistant, "assistant", &assistant_id)?.body;
    check_text("instructions", &body.instructions, 256_000)?;
    check_text(
        "additional_instructions",
        &body.additional_instructions,
        256_000,
    )?;
    check_sampling(body.temperature, body.top_p)?;
    if body
        .response_format
        .as_ref()
        .is_some_and(|f| f != &json!("auto") && f != &json!({"type": "text"}))
    {
        return Err(ApiError::param(
            "response_format",
            "Only 'auto' and text responses are supported.",
        ));
    }
    if body.max_completion_tokens == Some(0) {
        return Err(ApiError::param(
            "max_completion_tokens",
            "'max_completion_tokens' must be at least 1.",
        ));
    }
    let tools = match body.tools.take() {
        Some(tools) => objects::tools(tools, "tools")?,
        None => assistant["tools"].as_array().cloned().unwrap_or_default(),
    };
    let server_tools = enabled_server_tools(shared, &assistant["metadata"], &tools)?;
    let tool_choice = objects::tool_choice(body.tool_choice.take())?;
    if let crate::chat::ToolChoice::Tool(name) = &tool_choice {
        let known = server_tools.iter().any(|tool| tool == name)
            || tools
                .iter()
                .any(|tool| tool["function"]["name"] == json!(name));
        if !known {
            return Err(ApiError::param(
                "tool_choice",
                format!("The run has no tool '{}'.", clip(name)),
            ));
        }
    }
    let mut instructions = body
        .instructions
        .clone()
        .or_else(|| assistant["instructions"].as_str().map(str::to_owned));
    if let Some(more) = &body.additional_instructions {
        instructions = Some(match instructions {
            Some(text) if !text.is_empty() => format!("{text}\n\n{more}"),
            _ => more.clone(),
        });
    }
    let temperature = body
        .temperature
        .or_else(|| assistant["temperature"].as_f64());
    let top_p = body.top_p.or_else(|| assistant["top_p"].as_f64());
    let created_at = now();
    let expires_at =
        created_at.saturating_add(i64::try_from(shared.run_timeout.as_secs()).unwrap_or(i64::MAX));
    let run = json!({
        "id": new_id("run"),
        "object": "thread.run",
        "created_at": created_at,
        "thread_id": thread_id,
        "assistant_id": assistant_id,
        "status": "queued",
        "required_action": null,
        "last_error": null,
        "expires_at": expires_at,
        "started_at": null,
        "cancelled_at": null,
        "failed_at": null,
        "completed_at": null,
        "incomplete_details": null,
        "model": body.model.clone().unwrap_or_else(|| assistant["model"].as_str().unwrap_or_default().to_owned()),
        "instructions": instructions.clone().unwrap_or_default(),
        "tools": tools,
        "metadata": metadata(body.metadata.take())?.unwrap_or_else(|| json!({})),
        "usage": null,
        "temperature": temperature,
        "top_p": top_p,
        "max_prompt_tokens": body.max_prompt_tokens,
        "max_completion_tokens": body.max_completion_tokens,
        "truncation_strategy": {"type": "auto", "last_messages": null},
        "response_format": "auto",
        "tool_choice": objects::tool_choice_value(&tool_choice),
        "parallel_tool_calls": body.parallel_tool_calls.unwrap_or(true),
    });
    let plan = Plan {
        instructions,
        server_tools,
        client_tools: run["tools"].as_array().cloned().unwrap_or_default(),
        tool_choice,
        parallel_tool_calls: body.parallel_tool_calls,
        max_completion_tokens: body
            .max_completion_tokens
            .map(|tokens| u32::try_from(tokens).unwrap_or(u32::MAX)),
        temperature,
        top_p,
        max_turns: shared.max_turns,
        paused: None,
        open_step: None,
    };
    Ok((run, plan))
}

/// Creates the run (with the writes before it: a new thread, its messages) and starts
/// driving it; answers with the run, or its stream.
fn start_run(
    shared: Arc<Shared>,
    thread_id: &str,
    mut body: RunBody,
    mut writes: Vec<Write>,
    thread: Option<Value>,
) -> Answer {
    let (run, plan) = plan_run(&shared, thread_id, &mut body)?;
    for (index, message) in body
        .additional_messages
        .take()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let message = message_object(message, thread_id, &format!("additional_messages[{index}]"))?;
        writes.push(Write::Put(
            Kind::Message,
            Record::new(
                message["id"].as_str().unwrap_or_default().to_owned(),
                message,
            )
            .on_thread(thread_id),
        ));
    }
    let run_id = run["id"].as_str().unwrap_or_default().to_owned();
    // Held until the run is being driven, so that a cancel never finds it queued with
    // nothing to stop.
    let gate = shared.lock_gate();
    if let Some(active) = shared.store.active_run(thread_id)? {
        return Err(ApiError::invalid(format!(
            "Thread {thread_id} already has an active run {}.",
            active.id
        )));
    }
    let record = Record::new(&run_id, run.clone())
        .on_thread(thread_id)
        .with_state(serde_json::to_value(&plan).ok());
    writes.push(Write::Put(Kind::Run, record.clone()));
    shared.store.commit(writes)?;
    tracing::info!(run.id = %run_id, thread.id = %thread_id, "assistants: run created");
    let messages = match runner::thread_messages(shared.store.as_ref(), thread_id) {
        Ok(messages) => messages,
        Err(error) => {
            // The run must not stay queued, holding its thread: it fails, saying why.
            let mut record = record;
            record.body["status"] = json!("failed");
            record.body["failed_at"] = json!(now());
            record.body["last_error"] =
                json!({"code": "server_error", "message": error.to_string()});
            let _ = shared.store.commit(vec![Write::Put(Kind::Run, record)]);
            return Err(error.into());
        }
    };
    let assistant = assistant_for(&shared, &plan);
    let lifecycle = assistant.start(Thread::from(messages));
    let (sender, receiver) = if body.stream == Some(true) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Some(sender), Some(receiver))
    } else {
        (None, None)
    };
    let mut driver = Driver::new(shared.clone(), run.clone(), plan, sender);
    driver.holding_gate = true;
    if let Some(thread) = thread {
        driver.emit("thread.created", thread);
    }
    driver.emit("thread.run.created", run.clone());
    driver.emit("thread.run.queued", run.clone());
    driver.spawn(assistant, lifecycle);
    drop(gate);
    Ok(match receiver {
        Some(receiver) => sse(receiver),
        None => ok(&run),
    })
}

async fn create_run(State(shared): App, Path(thread): Path<String>, body: Bytes) -> Answer {
    let body: RunBody = parse(&body)?;
    load(&shared, Kind::Thread, "thread", &thread)?;
    if body.thread.is_some() {
        return Err(ApiError::param(
            "thread",
            "Unknown parameter: 'thread' (it is for threads/runs).",
        ));
    }
    start_run(shared, &thread, body, Vec::new(), None)
}

async fn create_thread_and_run(State(shared): App, body: Bytes) -> Answer {
    let mut body: RunBody = parse(&body)?;
    let (thread, writes) = new_thread(body.thread.take().unwrap_or_default(), "thread.")?;
    let thread_id = thread["id"].as_str().unwrap_or_default().to_owned();
    start_run(shared, &thread_id, body, writes, Some(thread))
}

async fn get_run(State(shared): App, Path((thread, id)): Path<(String, String)>) -> Answer {
    let record = load_on(&shared, Kind::Run, "run", &thread, &id)?;
    Ok(ok(&expire_if_due(&shared, record).await?.body))
}

/// A run that waited for the client past its `expires_at` ends `expired` when it is next
/// looked at (nothing watches the clock in between).
async fn expire_if_due(shared: &Arc<Shared>, record: Record) -> Result<Record, ApiError> {
    let due = record.body["expires_at"]
        .as_i64()
        .is_some_and(|at| now() >= at);
    if record.status() != Some("requires_action") || !due {
        return Ok(record);
    }
    let mut plan = plan_of(&record)?;
    let Some(run) = plan.paused.take() else {
        return Ok(record);
    };
    let assistant = assistant_for(shared, &plan);
    let mut driver = Driver::new(shared.clone(), record.body.clone(), plan, None);
    driver.resume_step(&HashMap::new())?;
    // Past its deadline, the loop ends the waiting run `expired` without asking anyone.
    driver.drive(assistant, run).await;
    load(shared, Kind::Run, "run", &record.id)
}

async fn modify_run(
    State(shared): App,
    Path((thread, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let _gate = shared.lock_gate();
    let record = load_on(&shared, Kind::Run, "run", &thread, &id)?;
    modify_metadata(&shared, Kind::Run, record, &body)
}

async fn list_runs(
    State(shared): App,
    Path(thread): Path<String>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Answer {
    load(&shared, Kind::Thread, "thread", &thread)?;
    let (mut query, _) = list_query(Kind::Run, params)?;
    query.thread_id = Some(thread);
    page(&shared, &query)
}

fn plan_of(record: &Record) -> Result<Plan, ApiError> {
    record
        .state
        .clone()
        .and_then(|state| serde_json::from_value(state).ok())
        .ok_or_else(|| {
            ApiError::internal(format!(
                "the stored run {} has no readable state",
                record.id
            ))
        })
}

async fn cancel_run(State(shared): App, Path((thread, id)): Path<(String, String)>) -> Answer {
    let _gate = shared.lock_gate();
    let mut record = load_on(&shared, Kind::Run, "run", &thread, &id)?;
    match record.status().unwrap_or_default() {
        "queued" | "in_progress" if shared.cancel_driven(&id) => {
            // The driver stores `cancelling`, then `cancelled`, as the loop stops.
            record.body["status"] = json!("cancelling");
            Ok(ok(&record.body))
        }
        "requires_action" => {
            let mut plan = plan_of(&record)?;
            let paused = plan
                .paused
                .take()
                .ok_or_else(|| ApiError::internal("the waiting run has no saved loop"))?;
            let driver = Driver::new(shared.clone(), record.body, plan, None);
            Ok(ok(&driver.cancel_paused(paused)))
        }
        status => Err(ApiError::invalid(format!(
            "Cannot cancel run with status '{status}'."
        ))),
    }
}

#[derive(Debug, Deserialize)]
struct SubmitBody {
    tool_outputs: Vec<OutputBody>,
    stream: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct OutputBody {
    tool_call_id: String,
    #[serde(default)]
    output: Option<String>,
}

/// What a submitted output means for a server tool that waits for approval: `approve`
/// runs it; anything else refuses it, and the model reads the text as the reason.
fn approves(output: &str) -> bool {
    output.trim().eq_ignore_ascii_case("approve")
}

async fn submit_tool_outputs(
    State(shared): App,
    Path((thread, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let body: SubmitBody = parse(&body)?;
    let record = load_on(&shared, Kind::Run, "run", &thread, &id)?;
    expire_if_due(&shared, record).await?;
    let gate = shared.lock_gate();
    let record = load_on(&shared, Kind::Run, "run", &thread, &id)?;
    let status = record.status().unwrap_or_default().to_owned();
    if status != "requires_action" {
        return Err(ApiError::invalid(format!(
            "Runs in status \"{status}\" do not accept tool outputs."
        )));
    }
    let mut plan = plan_of(&record)?;
    let mut run: Run = plan
        .paused
        .take()
        .ok_or_else(|| ApiError::internal("the waiting run has no saved loop"))?;
    let mut outputs = Vec::new();
    // Call id -> the text the step shows as its output (approved calls get theirs when
    // they run).
    let mut submitted: HashMap<String, String> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (index, output) in body.tool_outputs.iter().enumerate() {
        let id_param = || format!("tool_outputs[{index}].tool_call_id");
        let call_id = output.tool_call_id.as_str();
        let text = output.output.clone().unwrap_or_default();
        if !seen.insert(call_id.to_owned()) {
            return Err(ApiError::param(
                id_param(),
                format!("The output of '{}' is given twice.", clip(call_id)),
            ));
        }
        let (call, awaits_decision) = run
            .pending_calls()
            .iter()
            .find(|pending| pending.call.id == call_id && pending.awaits_caller())
            .map(|pending| (pending.call.clone(), pending.awaits_decision))
            .ok_or_else(|| {
                ApiError::param(
                    id_param(),
                    format!(
                        "No tool call '{}' is waiting for an output in run {id}.",
                        clip(call_id)
                    ),
                )
            })?;
        if !awaits_decision {
            outputs.push(ToolOutput::success(&call, text.clone()));
            submitted.insert(call.id, text);
        } else if approves(&text) {
            run.approve(call_id)
                .map_err(|error| ApiError::invalid(error.to_string()))?;
        } else {
            run.reject(call_id, text.clone())
                .map_err(|error| ApiError::invalid(error.to_string()))?;
            submitted.insert(call.id, text);
        }
    }
    if !outputs.is_empty() {
        run.submit_tool_outputs(outputs)
            .map_err(|error| match error {
                SubmitError::Missing(ids) => ApiError::param(
                    "tool_outputs",
                    format!("Tool outputs are missing for: {}.", ids.join(", ")),
                ),
                other => ApiError::invalid(other.to_string()),
            })?;
    }
    let missing: Vec<String> = run
        .required_action()
        .iter()
        .map(|call| call.id.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::param(
            "tool_outputs",
            format!("Tool outputs are missing for: {}.", missing.join(", ")),
        ));
    }
    let (sender, receiver) = if body.stream == Some(true) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Some(sender), Some(receiver))
    } else {
        (None, None)
    };
    let assistant = assistant_for(&shared, &plan);
    let mut driver = Driver::new(shared.clone(), record.body, plan, sender);
    driver.holding_gate = true;
    driver.resume_step(&submitted)?;
    driver.queued();
    let object = driver.run_object();
    driver.spawn(assistant, run);
    drop(gate);
    Ok(match receiver {
        Some(receiver) => sse(receiver),
        None => ok(&object),
    })
}

// ---- run steps

async fn list_steps(
    State(shared): App,
    Path((thread, run)): Path<(String, String)>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Answer {
    load_on(&shared, Kind::Run, "run", &thread, &run)?;
    let (mut query, _) = list_query(Kind::Step, params)?;
    query.run_id = Some(run);
    page(&shared, &query)
}

async fn get_step(
    State(shared): App,
    Path((thread, run, id)): Path<(String, String, String)>,
) -> Answer {
    load_on(&shared, Kind::Run, "run", &thread, &run)?;
    let step = load(&shared, Kind::Step, "run step", &id)?;
    if step.run_id.as_deref() != Some(run.as_str()) {
        return Err(ApiError::not_found("run step", &id));
    }
    Ok(ok(&step.body))
}
