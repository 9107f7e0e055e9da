//! The assistant loop, driven by a scripted model (it answers from a script; no real model
//! is involved here): every status transition and every option of a run.

use std::time::Duration;

use futures::StreamExt;
use serde::Deserialize;
use tool_runtime::chat::{ChatResponse, Message, ModelError, RequestOptions, ToolChoice, Usage};
use tool_runtime::run::{
    Assistant, Mode, Run, RunEvent, RunOptions, RunStatus, RunStep, SubmitError, Thread,
};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::{tool, ToolCall, ToolOutput, ToolRegistry};

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first.
/// * `b` - The second.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Wait, then echo a label.
///
/// # Arguments
/// * `label` - What to echo.
/// * `ms` - How long to wait, in milliseconds.
#[tool]
async fn slow_echo(label: String, ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    label
}

/// Delete every task.
#[tool(destructive)]
fn delete_all_tasks() -> &'static str {
    "deleted everything"
}

/// Rename a task.
///
/// # Arguments
/// * `name` - The new name.
#[tool(needs_approval)]
fn rename(name: String) -> String {
    format!("renamed to {name}")
}

fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(Add)
        .and_then(|r| r.register(SlowEcho))
        .and_then(|r| r.register(DeleteAllTasks))
        .and_then(|r| r.register(Rename))
        .expect("distinct tools");
    registry
}

fn thread(text: &str) -> Thread {
    Thread::from(vec![Message::user(text)])
}

fn calls(replies: &[(&str, &str)]) -> ScriptedReply {
    ScriptedReply::tool_calls(replies.iter().copied())
}

fn scripted(replies: Vec<ScriptedReply>) -> (Assistant, std::sync::Arc<ScriptedModel>) {
    let model = std::sync::Arc::new(ScriptedModel::new(replies));
    let assistant = Assistant::from_shared(model.clone(), std::sync::Arc::new(registry()));
    (assistant, model)
}

/// The tool messages of a thread: (call id, content, is_error).
fn tool_messages(run: &Run) -> Vec<(String, String, bool)> {
    run.thread()
        .messages()
        .iter()
        .filter_map(|m| match m {
            Message::Tool {
                tool_call_id,
                content,
                is_error,
            } => Some((tool_call_id.clone(), content.clone(), *is_error)),
            _ => None,
        })
        .collect()
}

fn call_ids(run: &Run) -> Vec<String> {
    run.thread()
        .messages()
        .iter()
        .flat_map(|m| match m {
            Message::Assistant { tool_calls, .. } => {
                tool_calls.iter().map(|c| c.id.clone()).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

/// Token counts are a server's: two turns reporting `u64::MAX` saturate the run's total
/// instead of overflowing (a panic in debug builds, a silent wrap in release ones).
#[tokio::test]
async fn a_run_saturates_the_usage_a_server_reports() {
    let huge = Usage {
        prompt_tokens: u64::MAX,
        completion_tokens: u64::MAX,
    };
    let mut first =
        ChatResponse::tool_calls(vec![ToolCall::new("c1", "add", r#"{"a": 1, "b": 1}"#)]);
    first.usage = Some(huge);
    let (assistant, _model) = scripted(vec![
        ScriptedReply::Respond(first),
        ScriptedReply::Respond(ChatResponse::text("2").with_usage(huge)),
    ]);
    let mut run = assistant.start(thread("1 + 1?"));
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(run.usage(), huge);
    assert_eq!(run.usage().total(), u64::MAX);
}

#[tokio::test]
async fn automatic_run_calls_the_tool_and_completes_with_the_answer() {
    let (assistant, model) = scripted(vec![
        calls(&[("add", r#"{"a": 2, "b": 3}"#)]),
        ScriptedReply::Respond(ChatResponse::text("2 + 3 = 5").with_usage(Usage {
            prompt_tokens: 7,
            completion_tokens: 3,
        })),
    ]);
    let assistant = assistant.with_instructions("Be exact.");
    let mut run = assistant.start(thread("What is 2 + 3?"));
    assert_eq!(run.status(), RunStatus::Queued);
    assistant.drive(&mut run).await;

    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(run.answer(), Some("2 + 3 = 5"));
    assert_eq!(run.turns(), 2);
    assert_eq!(
        run.usage(),
        Usage {
            prompt_tokens: 7,
            completion_tokens: 3
        }
    );
    let messages = run.thread().messages();
    assert_eq!(messages[0], Message::system("Be exact."));
    assert_eq!(messages[1], Message::user("What is 2 + 3?"));
    assert!(
        matches!(&messages[2], Message::Assistant { content: None, tool_calls } if tool_calls[0].name == "add")
    );
    assert_eq!(
        tool_messages(&run),
        vec![(call_ids(&run)[0].clone(), "5".to_owned(), false)]
    );
    assert_eq!(messages[4], Message::assistant("2 + 3 = 5"));
    assert!(
        matches!(run.steps(), [RunStep::MessageCreation { .. }, RunStep::ToolCalls { outputs, .. }, RunStep::MessageCreation { .. }] if outputs[0].content == "5")
    );
    // The model saw the tools, and the second time the tool's output.
    let requests = model.requests();
    assert_eq!(
        requests[0].tools,
        ["add", "slow_echo", "delete_all_tasks", "rename"]
    );
    assert_eq!(requests[1].messages.len(), 4);

    // A finished run stays finished.
    assistant.drive(&mut run).await;
    assert_eq!((run.status(), run.turns()), (RunStatus::Completed, 2));
}

#[tokio::test(start_paused = true)]
async fn parallel_calls_run_concurrently_and_their_outputs_keep_call_order() {
    let (assistant, _) = scripted(vec![
        calls(&[
            ("slow_echo", r#"{"label": "first", "ms": 300}"#),
            ("slow_echo", r#"{"label": "second", "ms": 100}"#),
            ("add", r#"{"a": 1}"#),
        ]),
        ScriptedReply::text("done"),
    ]);
    let started = tokio::time::Instant::now();
    let run = assistant.run(thread("go")).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(300),
        "at once, not one after another"
    );
    let outputs = tool_messages(&run);
    let contents: Vec<&str> = outputs.iter().map(|o| o.1.as_str()).collect();
    assert_eq!(
        contents,
        [
            "first",
            "second",
            "invalid arguments for tool `add`: missing field `b`"
        ]
    );
    assert_eq!(
        outputs.iter().map(|o| o.0.clone()).collect::<Vec<_>>(),
        call_ids(&run)
    );
    assert!(
        outputs[2].2,
        "a bad call is an error output, and the run goes on"
    );
}

#[tokio::test]
async fn manual_mode_stops_for_outputs_and_goes_on_when_all_are_submitted() {
    let (assistant, model) = scripted(vec![
        calls(&[
            ("add", r#"{"a": 1, "b": 1}"#),
            ("slow_echo", r#"{"label": "x", "ms": 0}"#),
        ]),
        ScriptedReply::text("thanks"),
    ]);
    let assistant = assistant.with_options(RunOptions::default().with_mode(Mode::Manual));
    let mut run = assistant.start(thread("go"));
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let required: Vec<ToolCall> = run.required_action().into_iter().cloned().collect();
    assert_eq!(
        required.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["add", "slow_echo"]
    );

    // Driving again does nothing until the caller acts.
    assistant.drive(&mut run).await;
    assert_eq!(
        (run.status(), model.requests().len()),
        (RunStatus::RequiresAction, 1)
    );

    assert_eq!(
        run.submit_tool_outputs(vec![ToolOutput::success(&required[0], "2")]),
        Err(SubmitError::Missing(vec![required[1].id.clone()]))
    );
    let stranger = ToolCall::new("nope", "add", "{}");
    assert_eq!(
        run.submit_tool_outputs(vec![ToolOutput::success(&stranger, "?")]),
        Err(SubmitError::NotPending("nope".into()))
    );
    // Outputs in any order; the thread gets them in call order.
    run.submit_tool_outputs(vec![
        ToolOutput::error(&required[1], "no echo today"),
        ToolOutput::success(&required[0], "2"),
    ])
    .expect("all outputs");
    assert_eq!(run.status(), RunStatus::Queued);
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(
        tool_messages(&run),
        vec![
            (required[0].id.clone(), "2".to_owned(), false),
            (required[1].id.clone(), "no echo today".to_owned(), true)
        ]
    );
    assert_eq!(
        run.submit_tool_outputs(vec![]),
        Err(SubmitError::NotWaiting(RunStatus::Completed))
    );
}

#[tokio::test]
async fn a_destructive_call_waits_for_approval_while_the_others_run() {
    let (assistant, _) = scripted(vec![
        calls(&[("add", r#"{"a": 1, "b": 2}"#), ("delete_all_tasks", "{}")]),
        ScriptedReply::text("All clear."),
    ]);
    let mut run = assistant.run(thread("clean up")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let waiting: Vec<String> = run
        .required_action()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(waiting, ["delete_all_tasks"]);
    // The safe call already ran; the destructive one did not.
    let pending = run.pending_calls();
    assert_eq!(
        pending[0].output.as_ref().map(|o| o.content.as_str()),
        Some("3")
    );
    assert_eq!(pending[1].output, None);
    assert!(
        tool_messages(&run).is_empty(),
        "outputs wait until the turn is settled"
    );

    let id = run.required_action()[0].id.clone();
    assert_eq!(
        run.approve("add-is-not-waiting"),
        Err(SubmitError::NotPending("add-is-not-waiting".into()))
    );
    run.reject(&id, "The user said no.").expect("waiting");
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    let outputs = tool_messages(&run);
    assert_eq!(outputs[0].1, "3");
    assert_eq!(
        (outputs[1].1.as_str(), outputs[1].2),
        ("The user said no.", true)
    );
}

#[tokio::test]
async fn an_approved_call_runs_with_edited_arguments() {
    let (assistant, _) = scripted(vec![
        calls(&[("rename", r#"{"name": "gym"}"#)]),
        ScriptedReply::text("ok"),
    ]);
    let mut run = assistant.run(thread("rename it")).await;
    let id = run.required_action()[0].id.clone();
    run.approve_with(&id, r#"{"name": "Go to the gym"}"#)
        .expect("waiting");
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(tool_messages(&run)[0].1, "renamed to Go to the gym");
}

#[tokio::test]
async fn a_paused_run_serializes_and_resumes_in_another_assistant() {
    let (first, _) = scripted(vec![calls(&[("delete_all_tasks", "{}")])]);
    let run = first.run(thread("delete everything")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let saved = serde_json::to_string(&run).expect("a run serializes");
    drop((first, run));

    // Another process: a new model and registry, the same run.
    let mut run: Run = serde_json::from_str(&saved).expect("and deserializes");
    let (second, model) = scripted(vec![ScriptedReply::text("Everything is deleted.")]);
    let id = run.required_action()[0].id.clone();
    run.approve(&id).expect("waiting");
    second.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(tool_messages(&run)[0].1, "deleted everything");
    assert_eq!(
        model.requests()[0].messages.len(),
        3,
        "the resumed model saw the whole thread"
    );
}

#[tokio::test]
async fn max_turns_ends_a_runaway_loop_as_incomplete() {
    let replies = (0..5)
        .map(|_| calls(&[("add", r#"{"a": 1, "b": 1}"#)]))
        .collect();
    let (assistant, model) = scripted(replies);
    let assistant = assistant.with_options(RunOptions::default().with_max_turns(3));
    let run = assistant.run(thread("loop")).await;
    assert_eq!(run.status(), RunStatus::Incomplete);
    assert_eq!(run.turns(), 3);
    assert_eq!(model.requests().len(), 3);
    assert_eq!(run.last_error().map(|e| e.code.as_str()), Some("max_turns"));
    assert_eq!(
        tool_messages(&run).len(),
        3,
        "every call of every turn was answered"
    );
}

#[test]
fn the_default_is_ten_turns() {
    assert_eq!(RunOptions::default().max_turns, 10);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_ends_the_run_as_expired_and_answers_the_interrupted_calls() {
    let (assistant, _) = scripted(vec![calls(&[(
        "slow_echo",
        r#"{"label": "x", "ms": 60000}"#,
    )])]);
    let assistant =
        assistant.with_options(RunOptions::default().with_deadline(Duration::from_secs(5)));
    let run = assistant.run(thread("wait")).await;
    assert_eq!(run.status(), RunStatus::Expired);
    assert_eq!(run.last_error().map(|e| e.code.as_str()), Some("expired"));
    let outputs = tool_messages(&run);
    assert_eq!(outputs.len(), 1);
    assert!(
        outputs[0].2 && outputs[0].1.contains("expired"),
        "{outputs:?}"
    );
}

#[tokio::test]
async fn cancel_before_start_and_while_waiting() {
    let (assistant, model) = scripted(vec![]);
    let mut run = assistant.start(thread("never mind"));
    run.cancel();
    assert_eq!(run.status(), RunStatus::Cancelled);
    assistant.drive(&mut run).await;
    assert_eq!(
        (run.status(), model.requests().len()),
        (RunStatus::Cancelled, 0)
    );

    let (assistant, _) = scripted(vec![calls(&[("delete_all_tasks", "{}")])]);
    let mut run = assistant.run(thread("delete")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    run.cancel();
    assert_eq!(run.status(), RunStatus::Cancelled);
    assert!(
        tool_messages(&run)[0].2,
        "the waiting call is answered, so the thread stays valid"
    );
}

#[tokio::test(start_paused = true)]
async fn cancel_from_another_task_stops_a_run_in_flight() {
    let (assistant, _) = scripted(vec![calls(&[(
        "slow_echo",
        r#"{"label": "x", "ms": 60000}"#,
    )])]);
    let mut run = assistant.start(thread("wait"));
    let handle = run.cancel_handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        handle.cancel();
    });
    let started = tokio::time::Instant::now();
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Cancelled);
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert!(tool_messages(&run)[0].2);
}

#[tokio::test]
async fn a_forced_tool_choice_is_reset_after_use() {
    let (assistant, model) = scripted(vec![
        calls(&[("add", r#"{"a": 1, "b": 1}"#)]),
        ScriptedReply::text("2"),
    ]);
    let assistant =
        assistant.with_options(RunOptions::default().with_request(
            RequestOptions::default().with_tool_choice(ToolChoice::Tool("add".into())),
        ));
    let run = assistant.run(thread("add")).await;
    assert_eq!(run.status(), RunStatus::Completed);
    let choices: Vec<ToolChoice> = model
        .requests()
        .into_iter()
        .map(|r| r.tool_choice)
        .collect();
    assert_eq!(choices, [ToolChoice::Tool("add".into()), ToolChoice::Auto]);
}

#[tokio::test]
async fn a_model_error_fails_the_run_and_keeps_the_thread() {
    let (assistant, _) = scripted(vec![
        calls(&[("add", r#"{"a": 1, "b": 1}"#)]),
        ScriptedReply::Fail(ModelError::Status {
            status: 400,
            message: "context too long".into(),
        }),
    ]);
    let run = assistant.run(thread("add")).await;
    assert_eq!(run.status(), RunStatus::Failed);
    let error = run.last_error().expect("a reason");
    assert_eq!(error.code, "model_error");
    assert_eq!(
        error.message,
        "the model's endpoint answered 400: context too long"
    );
    assert_eq!(
        run.thread().messages().len(),
        3,
        "the user's message, the call and its output stay"
    );
}

#[derive(Debug, Deserialize, PartialEq)]
struct Shape {
    a: i64,
    b: i64,
}

#[tokio::test]
async fn events_announce_each_call_before_its_arguments_and_end_with_finished() {
    let (assistant, _) = scripted(vec![
        ScriptedReply::Respond(
            ChatResponse::tool_calls(vec![ToolCall::new("c1", "add", r#"{"a": 20, "b": 22}"#)])
                .with_usage(Usage {
                    prompt_tokens: 5,
                    completion_tokens: 5,
                }),
        ),
        ScriptedReply::text("The answer is 42"),
    ]);
    let mut run = assistant.start(thread("add"));
    let events: Vec<RunEvent> = assistant.events(&mut run).collect().await;
    assert_eq!(run.status(), RunStatus::Completed);

    assert_eq!(
        events.first(),
        Some(&RunEvent::Status(RunStatus::InProgress))
    );
    assert_eq!(
        events.last(),
        Some(&RunEvent::Finished(RunStatus::Completed))
    );
    let created = events.iter().position(
        |e| matches!(e, RunEvent::ToolCallCreated { id, name } if id == "c1" && name == "add"),
    );
    let first_delta = events
        .iter()
        .position(|e| matches!(e, RunEvent::ToolCallDelta { id, .. } if id == "c1"));
    assert!(created.is_some() && created < first_delta, "{events:?}");
    let arguments: String = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::ToolCallDelta { arguments, .. } => Some(arguments.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Shape>(&arguments).expect("the pieces make the arguments"),
        Shape { a: 20, b: 22 }
    );
    assert!(events.contains(&RunEvent::ToolOutput(ToolOutput::success(
        &ToolCall::new("c1", "add", ""),
        "42"
    ))));
    assert!(events.contains(&RunEvent::Usage(Usage {
        prompt_tokens: 5,
        completion_tokens: 5
    })));
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "The answer is 42");
    let done = events
        .iter()
        .filter(|e| matches!(e, RunEvent::MessageDone(_)))
        .count();
    assert_eq!(done, 2);
}

#[tokio::test(start_paused = true)]
async fn a_drive_dropped_half_way_leaves_a_run_that_can_go_on() {
    let (assistant, model) = scripted(vec![
        calls(&[("slow_echo", r#"{"label": "x", "ms": 60000}"#)]),
        ScriptedReply::text("sorry, that took too long"),
    ]);
    let mut run = assistant.start(thread("wait"));
    {
        // The caller gives up on the stream while the tool runs.
        let mut events = assistant.events(&mut run);
        while let Some(event) = events.next().await {
            if matches!(event, RunEvent::ToolCallCreated { .. }) {
                break;
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_millis(1), futures::future::pending::<()>()).await;
    assert_eq!(run.status(), RunStatus::InProgress);

    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    let outputs = tool_messages(&run);
    assert_eq!(outputs.len(), 1, "the interrupted call was answered once");
    assert!(
        outputs[0].2 && outputs[0].1.contains("interrupted"),
        "{outputs:?}"
    );
    assert_eq!(model.requests().len(), 2);
    assert_eq!(run.answer(), Some("sorry, that took too long"));
}

#[tokio::test(start_paused = true)]
async fn an_interruption_keeps_the_outputs_that_finished_and_answers_the_rest() {
    // A turn that waits for an approval while its other calls run; the deadline passes
    // during the slow one.
    let (assistant, _) = scripted(vec![calls(&[
        ("add", r#"{"a": 1, "b": 2}"#),
        ("slow_echo", r#"{"label": "x", "ms": 60000}"#),
        ("delete_all_tasks", "{}"),
    ])]);
    let assistant =
        assistant.with_options(RunOptions::default().with_deadline(Duration::from_secs(5)));
    let run = assistant.run(thread("go")).await;
    assert_eq!(run.status(), RunStatus::Expired);
    let outputs = tool_messages(&run);
    assert_eq!(
        outputs.iter().map(|o| o.0.clone()).collect::<Vec<_>>(),
        call_ids(&run),
        "one output per call, in order"
    );
    assert_eq!(
        (outputs[0].1.as_str(), outputs[0].2),
        ("3", false),
        "the finished call keeps its output"
    );
    assert!(outputs[1].2 && outputs[1].1.contains("expired"));
    assert!(outputs[2].2, "the destructive call did not run");
}

#[tokio::test(start_paused = true)]
async fn cancel_after_a_dropped_drive_stops_the_run_and_answers_its_calls() {
    let (assistant, _) = scripted(vec![calls(&[(
        "slow_echo",
        r#"{"label": "x", "ms": 60000}"#,
    )])]);
    let mut run = assistant.start(thread("wait"));
    {
        let mut events = assistant.events(&mut run);
        while let Some(event) = events.next().await {
            if matches!(event, RunEvent::ToolCallCreated { .. }) {
                break;
            }
        }
    }
    run.cancel();
    assert_eq!(run.status(), RunStatus::Cancelled);
    assert_eq!(tool_messages(&run).len(), 1);
    let saved: Run = serde_json::from_str(&serde_json::to_string(&run).expect("serializes"))
        .expect("deserializes");
    assert_eq!(saved.status(), RunStatus::Cancelled);
}

#[tokio::test]
async fn an_approval_after_the_deadline_is_refused_and_nothing_runs() {
    let (assistant, model) = scripted(vec![calls(&[("delete_all_tasks", "{}")])]);
    let assistant =
        assistant.with_options(RunOptions::default().with_deadline(Duration::from_millis(50)));
    let mut run = assistant.run(thread("delete")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    std::thread::sleep(Duration::from_millis(80));
    let id = run.required_action()[0].id.clone();
    assert_eq!(run.approve(&id), Err(SubmitError::Expired));
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Expired);
    let outputs = tool_messages(&run);
    assert!(
        outputs[0].2 && !outputs[0].1.contains("deleted"),
        "{outputs:?}"
    );
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn repeated_call_ids_are_told_apart() {
    let (assistant, _) = scripted(vec![
        ScriptedReply::Respond(ChatResponse::tool_calls(vec![
            ToolCall::new("same", "add", r#"{"a": 1, "b": 2}"#),
            ToolCall::new("same", "delete_all_tasks", "{}"),
        ])),
        ScriptedReply::text("ok"),
    ]);
    let mut run = assistant.run(thread("go")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let ids = call_ids(&run);
    assert_ne!(ids[0], ids[1]);
    run.reject(&ids[1], "no").expect("waiting");
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    let outputs = tool_messages(&run);
    assert_eq!(
        (outputs[0].0.as_str(), outputs[0].1.as_str()),
        (ids[0].as_str(), "3")
    );
    assert_eq!(
        (outputs[1].0.as_str(), outputs[1].1.as_str()),
        (ids[1].as_str(), "no")
    );
}

#[tokio::test]
async fn manual_mode_still_says_which_calls_are_destructive() {
    let (assistant, _) = scripted(vec![calls(&[
        ("add", r#"{"a": 1, "b": 2}"#),
        ("delete_all_tasks", "{}"),
    ])]);
    let assistant = assistant.with_options(RunOptions::default().with_mode(Mode::Manual));
    let run = assistant.run(thread("go")).await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let marked: Vec<bool> = run
        .pending_calls()
        .iter()
        .map(|p| p.needs_approval)
        .collect();
    assert_eq!(marked, [false, true]);
    assert_eq!(run.required_action().len(), 2, "the caller runs both");
}

#[tokio::test]
async fn an_answer_cut_off_at_the_token_limit_is_incomplete() {
    let mut cut = ChatResponse::text("The three tasks are: buy");
    cut.finish_reason = tool_runtime::chat::FinishReason::Length;
    let (assistant, _) = scripted(vec![ScriptedReply::Respond(cut)]);
    let run = assistant.run(thread("list")).await;
    assert_eq!(run.status(), RunStatus::Incomplete);
    assert_eq!(
        run.last_error().map(|e| e.code.as_str()),
        Some("max_tokens")
    );
}
