//! The task planner example (docs/examples.md) against a real SQLite file, driven by a scripted
//! model: it answers from a script written here, not from a real model, so these tests
//! prove the store, the tools, the approvals and the loop's wiring, not a model's judgment.
//!
//! The example's logic lives in the `examples` library (`examples::tasks`), used here as
//! the example uses it: the `tools` and `call` subcommands are tested through the functions
//! `main.rs` calls (cargo gives tests no path to an example's binary), and `chat` through
//! the same function, with a scripted model and a stand-in for the terminal.

use examples::tasks;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use tool_runtime::chat::{ChatModel, ChatResponse, Message, Usage};
use tool_runtime::format::SchemaForm;
use tool_runtime::run::{Assistant, Decision, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::{ToolCall, ToolFormat};

use tasks::{Cli, Command, Store};

/// The first message of the task planner's original transcript.
const FIRST_MESSAGE: &str = "I need to go buy bread from the store, then go to the gym. I also \
                            need to do my taxes, which is a P1.";

/// A fresh SQLite file in the temp dir, removed when the test ends (passing or not).
struct TempDb {
    path: PathBuf,
}

impl TempDb {
    fn new(test: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "task_planner-{test}-{}-{}.db",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&path);
        Self { path }
    }

    fn store(&self) -> Store {
        Store::open(&self.path).expect("a fresh database opens")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A row as SQLite has it, read through a connection of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    id: i64,
    name: String,
    priority: i64,
    completed: bool,
    created_at: String,
}

fn rows(path: &Path) -> Vec<Row> {
    let connection = rusqlite::Connection::open(path).expect("the database opens");
    let mut statement = connection
        .prepare("SELECT id, name, priority, completed, created_at FROM tasks ORDER BY id")
        .expect("the table exists");
    statement
        .query_map([], |row| {
            Ok(Row {
                id: row.get(0)?,
                name: row.get(1)?,
                priority: row.get(2)?,
                completed: row.get(3)?,
                created_at: row.get(4)?,
            })
        })
        .expect("the query runs")
        .collect::<Result<_, _>>()
        .expect("rows read")
}

/// (id, name, priority, completed) of each row.
fn summary(path: &Path) -> Vec<(i64, String, i64, bool)> {
    rows(path)
        .into_iter()
        .map(|row| (row.id, row.name, row.priority, row.completed))
        .collect()
}

fn scripted(replies: Vec<ScriptedReply>) -> Arc<ScriptedModel> {
    Arc::new(ScriptedModel::new(replies))
}

fn planner(model: &Arc<ScriptedModel>, store: &Store) -> Assistant {
    let model: Arc<dyn ChatModel> = model.clone();
    tasks::assistant(model, store).expect("the planner's tools register")
}

/// The tool messages of a request: (content, is_error).
fn tool_messages(messages: &[Message]) -> Vec<(String, bool)> {
    messages
        .iter()
        .filter_map(|message| match message {
            Message::Tool {
                content, is_error, ..
            } => Some((content.clone(), *is_error)),
            _ => None,
        })
        .collect()
}

fn system_text(messages: &[Message]) -> &str {
    match messages.first() {
        Some(Message::System { content }) => content,
        other => panic!("the thread starts with the instructions, not {other:?}"),
    }
}

/// An approver for runs that must never ask.
fn never_asked(call: &ToolCall) -> Decision {
    panic!(
        "nothing here needs approval, yet {} was put to the user",
        call.name
    )
}

/// The original transcript's first exchange: three parallel add_task calls, then an answer. Returns what
/// `chat` printed.
async fn transcript_first_message(
    store: &Store,
) -> (tool_runtime::run::Run, Arc<ScriptedModel>, String) {
    let model = scripted(vec![
        ScriptedReply::tool_calls([
            ("add_task", r#"{"name": "Buy bread from the store"}"#),
            ("add_task", r#"{"name": "Go to the gym"}"#),
            ("add_task", r#"{"name": "Do taxes", "priority": 1}"#),
        ]),
        ScriptedReply::text("I added your three tasks; the taxes are a P1."),
    ]);
    let assistant = planner(&model, store);
    let mut out = Vec::new();
    let run = tasks::chat(&assistant, FIRST_MESSAGE, &mut never_asked, &mut out)
        .await
        .expect("chat runs");
    (
        run,
        model,
        String::from_utf8(out).expect("chat prints text"),
    )
}

#[tokio::test]
async fn transcript_three_parallel_add_task_calls_make_three_rows() {
    let db = TempDb::new("transcript1");
    let store = db.store();
    let (run, model, printed) = transcript_first_message(&store).await;

    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(
        run.answer(),
        Some("I added your three tasks; the taxes are a P1.")
    );
    assert_eq!(
        summary(&db.path),
        vec![
            (1, "Buy bread from the store".to_owned(), 3, false),
            (2, "Go to the gym".to_owned(), 3, false),
            (3, "Do taxes".to_owned(), 1, false),
        ]
    );

    // The model was told the list was empty, offered the six tools, and then read each
    // task as stored, in call order.
    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        system_text(&requests[0].messages).contains("there are no tasks yet"),
        "{:?}",
        requests[0].messages[0]
    );
    assert_eq!(requests[0].messages[1], Message::user(FIRST_MESSAGE));
    assert_eq!(
        requests[0].tools,
        [
            "add_task",
            "update_task",
            "complete_task",
            "remove_task",
            "get_tasks",
            "delete_all_tasks"
        ]
    );
    // Every request asks for greedy decoding, short replies and parallel calls.
    for request in &requests {
        let options = &request.options;
        assert_eq!(
            (
                options.temperature,
                options.max_tokens,
                options.parallel_tool_calls
            ),
            (Some(0.0), Some(300), Some(true))
        );
    }
    let outputs = tool_messages(&requests[1].messages);
    assert_eq!(outputs.len(), 3);
    for ((content, is_error), (id, name, priority)) in outputs.iter().zip([
        ("t-1", "Buy bread from the store", 3),
        ("t-2", "Go to the gym", 3),
        ("t-3", "Do taxes", 1),
    ]) {
        assert!(!is_error, "{content}");
        let task: Value = serde_json::from_str(content).expect("a task is JSON");
        assert_eq!(
            (
                &task["id"],
                &task["name"],
                &task["priority"],
                &task["completed"]
            ),
            (&json!(id), &json!(name), &json!(priority), &json!(false))
        );
    }

    // What `chat` printed: each call with its arguments, each output, the answer.
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines[..3],
        [
            r#"-> add_task {"name": "Buy bread from the store"}"#,
            r#"-> add_task {"name": "Go to the gym"}"#,
            r#"-> add_task {"name": "Do taxes", "priority": 1}"#,
        ],
        "{printed}"
    );
    assert!(lines[3].starts_with(r#"<- add_task ok: {"id":"t-1","name":"Buy bread from the store","priority":3,"completed":false,"created_at":""#));
    assert!(lines[5].starts_with(r#"<- add_task ok: {"id":"t-3","name":"Do taxes","priority":1"#));
    assert_eq!(
        lines[6..],
        ["I added your three tasks; the taxes are a P1."],
        "{printed}"
    );
}

#[tokio::test]
async fn transcript_second_message_completes_and_reprioritises_by_id_and_changes_nothing_else() {
    let db = TempDb::new("transcript2");
    let store = db.store();
    let (first, _, _) = transcript_first_message(&store).await;
    assert_eq!(first.status(), RunStatus::Completed);
    let before = rows(&db.path);
    let id_of = |name: &str| {
        let row = before
            .iter()
            .find(|row| row.name == name)
            .expect("the task");
        format!("t-{}", row.id)
    };
    let (bread, gym) = (id_of("Buy bread from the store"), id_of("Go to the gym"));

    // The original user said "I finished the laundry" - there was no laundry task, and the
    // original model completed the bread anyway. Here the user speaks of the bread.
    let message = "I bought the bread, please mark it complete. Also the gym is a P1";
    let complete = format!(r#"{{"id": "{bread}"}}"#);
    let update = format!(r#"{{"id": "{gym}", "priority": 1}}"#);
    let model = scripted(vec![
        ScriptedReply::tool_calls([
            ("complete_task", complete.as_str()),
            ("update_task", update.as_str()),
        ]),
        ScriptedReply::text("Done: the bread is complete and the gym is a P1."),
    ]);
    // A new run of a new assistant: the current tasks are in its instructions.
    let assistant = planner(&model, &store);
    let mut out = Vec::new();
    let run = tasks::chat(&assistant, message, &mut never_asked, &mut out)
        .await
        .expect("chat runs");
    assert_eq!(run.status(), RunStatus::Completed);

    let requests = model.requests();
    let context = system_text(&requests[0].messages);
    for line in [
        "t-3 | P1 | open | Do taxes",
        "t-1 | P3 | open | Buy bread from the store",
        "t-2 | P3 | open | Go to the gym",
    ] {
        assert!(context.contains(line), "{line:?} in {context}");
    }
    assert_eq!(requests[0].messages[1], Message::user(message));
    let outputs = tool_messages(&requests[1].messages);
    assert!(outputs.iter().all(|(_, is_error)| !is_error), "{outputs:?}");

    // The two rows changed in the one field each, and nothing else did.
    let mut expected = before.clone();
    for row in &mut expected {
        if format!("t-{}", row.id) == bread {
            row.completed = true;
        }
        if format!("t-{}", row.id) == gym {
            row.priority = 1;
        }
    }
    assert_ne!(expected, before);
    assert_eq!(rows(&db.path), expected);
}

async fn three_tasks(store: &Store) {
    for (name, priority) in [("Buy bread", 3), ("Go to the gym", 2), ("Do taxes", 1)] {
        store.add(name, priority).expect("added");
    }
}

#[tokio::test]
async fn delete_all_tasks_never_runs_without_approval() {
    let db = TempDb::new("approval");
    let store = db.store();
    three_tasks(&store).await;
    let model = scripted(vec![
        ScriptedReply::tool_calls([("delete_all_tasks", "{}")]),
        ScriptedReply::text("I left your tasks as they are."),
        ScriptedReply::tool_calls([("delete_all_tasks", "")]),
        ScriptedReply::text("All tasks are deleted."),
    ]);
    let assistant = planner(&model, &store);

    // The run stops before the call: nothing is deleted.
    let mut run = assistant
        .run(Thread::from(vec![Message::user("Delete all my tasks")]))
        .await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    let waiting: Vec<ToolCall> = run.required_action().into_iter().cloned().collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].name, "delete_all_tasks");
    assert_eq!(rows(&db.path).len(), 3);

    // Rejected: still nothing deleted, and the model reads why.
    let refusal = "The user declined: nothing was deleted.";
    run.reject(&waiting[0].id, refusal).expect("the call waits");
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(rows(&db.path).len(), 3);
    let requests = model.requests();
    assert_eq!(
        tool_messages(&requests[1].messages),
        vec![(refusal.to_owned(), true)]
    );

    // Approved: everything goes.
    let mut run = assistant
        .run(Thread::from(vec![Message::user(
            "Yes, really, delete them all",
        )]))
        .await;
    assert_eq!(run.status(), RunStatus::RequiresAction);
    assert_eq!(rows(&db.path).len(), 3, "not before the approval");
    let id = run.required_action()[0].id.clone();
    run.approve(&id).expect("the call waits");
    assistant.drive(&mut run).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(rows(&db.path), vec![]);
    assert_eq!(
        tool_messages(&model.requests()[3].messages),
        vec![("deleted 3 tasks".to_owned(), false)]
    );
}

#[tokio::test]
async fn chat_without_a_terminal_rejects_delete_all_tasks_failing_closed() {
    let db = TempDb::new("no_terminal");
    let store = db.store();
    three_tasks(&store).await;
    let model = scripted(vec![
        ScriptedReply::tool_calls([("delete_all_tasks", "{}")]),
        ScriptedReply::text("I could not confirm with you, so nothing was deleted."),
    ]);
    let assistant = planner(&model, &store);
    let mut prompts = Vec::new();
    let mut approve = |call: &ToolCall| tasks::ask(call, false, &mut &b"y\n"[..], &mut prompts);
    let mut out = Vec::new();
    let run = tasks::chat(&assistant, "Clear my list", &mut approve, &mut out)
        .await
        .expect("chat runs");

    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(
        rows(&db.path).len(),
        3,
        "a \"y\" on a non-terminal stdin is not asked for"
    );
    let call = ToolCall::new("any", "delete_all_tasks", "{}");
    assert_eq!(
        tool_messages(&model.requests()[1].messages),
        vec![(tasks::no_terminal_message(&call), true)]
    );
    assert_eq!(
        String::from_utf8(prompts).expect("text"),
        "delete_all_tasks {} needs confirmation and there is no terminal to ask on: rejected\n"
    );
    let printed = String::from_utf8(out).expect("text");
    assert!(
        printed.starts_with("-> delete_all_tasks {}\n<- delete_all_tasks error: Not run: "),
        "{printed}"
    );
}

#[test]
fn the_terminal_question_approves_only_on_yes() {
    let call = ToolCall::new("call_1", "delete_all_tasks", "");
    let ask = |input: &[u8]| {
        let mut prompt = Vec::new();
        let decision = tasks::ask(&call, true, &mut &input[..], &mut prompt);
        (decision, String::from_utf8(prompt).expect("text"))
    };
    let approve = Decision::Approve { arguments: None };
    for yes in [&b"y\n"[..], b"Y\n", b" yes \n", b"y"] {
        assert_eq!(
            ask(yes),
            (
                approve.clone(),
                "Run delete_all_tasks {} ? [y/N] ".to_owned()
            )
        );
    }
    let declined = Decision::Reject {
        message: tasks::declined_message(&call),
    };
    for no in [&b"\n"[..], b"n\n", b"no\n", b"yep\n", b"sure\n"] {
        assert_eq!(ask(no).0, declined);
    }
    // End of input: nobody answered.
    assert_eq!(
        ask(b"").0,
        Decision::Reject {
            message: tasks::no_terminal_message(&call)
        }
    );
}

#[tokio::test]
async fn tool_errors_are_outputs_the_model_reads_and_change_nothing() {
    let db = TempDb::new("errors");
    let store = db.store();
    three_tasks(&store).await;
    let registry = tasks::registry(store.clone()).expect("registers");
    let before = rows(&db.path);

    for (name, arguments, expected) in [
        (
            "update_task",
            r#"{"id": "t-99", "priority": 1}"#,
            "no task has the id t-99; get_tasks lists the tasks with their ids",
        ),
        (
            "update_task",
            r#"{"id": "bread", "completed": true}"#,
            r#""bread" is not a task id: ids look like t-3 (get_tasks lists them)"#,
        ),
        (
            "update_task",
            r#"{"id": "t-1"}"#,
            "nothing to change for t-1: give name, priority or completed",
        ),
        (
            "update_task",
            r#"{"id": "t-1", "name": "  ", "priority": 1}"#,
            "a task needs a name: say what is to be done, e.g. \"Buy bread\"",
        ),
        (
            "update_task",
            r#"{"id": "t-1", "priority": 0}"#,
            "invalid arguments for tool `update_task`: priority: a priority is 1 (most urgent) to 5 (least urgent), not 0",
        ),
        (
            "complete_task",
            r#"{"id": "t-42"}"#,
            "no task has the id t-42; get_tasks lists the tasks with their ids",
        ),
        (
            "remove_task",
            r#"{"id": "t-42"}"#,
            "no task has the id t-42; get_tasks lists the tasks with their ids",
        ),
        (
            "add_task",
            r#"{"name": ""}"#,
            "a task needs a name: say what is to be done, e.g. \"Buy bread\"",
        ),
    ] {
        let output = tasks::call(&registry, name, arguments).await;
        assert!(output.is_error, "{name} {arguments}: {output:?}");
        assert_eq!(output.content, expected, "{name} {arguments}");
        assert_eq!(rows(&db.path), before, "{name} {arguments} changed nothing");
    }

    // In a run, the error goes to the model, which goes on.
    let model = scripted(vec![
        ScriptedReply::tool_calls([("update_task", r#"{"id": "t-99", "priority": 1}"#)]),
        ScriptedReply::text("There is no task t-99."),
    ]);
    let run = planner(&model, &store)
        .run(Thread::from(vec![Message::user("Make t-99 a P1")]))
        .await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(
        tool_messages(&model.requests()[1].messages),
        vec![(
            "no task has the id t-99; get_tasks lists the tasks with their ids".to_owned(),
            true
        )]
    );
    assert_eq!(rows(&db.path), before);
}

#[tokio::test]
async fn a_write_that_fails_halfway_is_rolled_back() {
    let db = TempDb::new("rollback");
    let store = db.store();
    three_tasks(&store).await;
    let before = rows(&db.path);
    // update_task writes name, then priority, then completed; make the last one fail.
    rusqlite::Connection::open(&db.path)
        .and_then(|c| {
            c.execute_batch(
                "CREATE TRIGGER frozen BEFORE UPDATE OF completed ON tasks
                 BEGIN SELECT RAISE(ABORT, 'completion is frozen'); END;",
            )
        })
        .expect("trigger created");
    let registry = tasks::registry(store).expect("registers");
    let output = tasks::call(
        &registry,
        "update_task",
        r#"{"id": "t-1", "name": "Buy rye bread", "priority": 1, "completed": true}"#,
    )
    .await;
    assert!(output.is_error);
    assert_eq!(
        output.content,
        "the task database failed, nothing was changed: completion is frozen"
    );
    assert_eq!(rows(&db.path), before, "the name and priority were undone");
}

#[tokio::test]
async fn call_and_tools_subcommands() {
    let db = TempDb::new("cli");
    let path = db.path.to_string_lossy().into_owned();
    let args = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();

    // Where the database is: --db, else TASKS_DB, else ./tasks.db.
    let cli = tasks::parse_cli(
        args(&[
            "--db",
            &path,
            "call",
            "add_task",
            r#"{"name": "Buy bread"}"#,
        ]),
        Some("elsewhere.db".into()),
    )
    .expect("parses");
    assert_eq!(
        cli,
        Cli {
            db: db.path.clone(),
            command: Command::Call {
                name: "add_task".into(),
                arguments: r#"{"name": "Buy bread"}"#.into()
            }
        }
    );
    let from_env = tasks::parse_cli(args(&["call", "get_tasks"]), Some("env.db".into()));
    assert_eq!(
        from_env,
        Ok(Cli {
            db: "env.db".into(),
            command: Command::Call {
                name: "get_tasks".into(),
                arguments: String::new()
            }
        })
    );
    assert_eq!(
        tasks::parse_cli(args(&["tools", "--plain"]), None),
        Ok(Cli {
            db: "tasks.db".into(),
            command: Command::Tools { plain: true }
        })
    );
    assert_eq!(
        tasks::parse_cli(args(&["--db=x.db", "chat", "I need", "bread"]), None),
        Ok(Cli {
            db: "x.db".into(),
            command: Command::Chat {
                message: "I need bread".into(),
                summary: false,
                record: None,
            }
        })
    );
    assert_eq!(
        tasks::parse_cli(args(&["chat", "--summary", "Hi"]), None).map(|cli| cli.command),
        Ok(Command::Chat {
            message: "Hi".into(),
            summary: true,
            record: None,
        })
    );
    assert_eq!(
        tasks::parse_cli(args(&["chat", "--record", "run.json", "Hi"]), None)
            .map(|cli| cli.command),
        Ok(Command::Chat {
            message: "Hi".into(),
            summary: false,
            record: Some("run.json".into()),
        })
    );
    assert_eq!(
        tasks::parse_cli(args(&["chat", "--record"]), None),
        Err("--record needs a FILE".into())
    );
    assert_eq!(
        tasks::parse_cli(args(&[]), None).map(|cli| cli.command),
        Ok(Command::Help)
    );
    for command in [
        "tools [--plain]",
        "call NAME [ARGS]",
        "chat [--summary] [--record FILE] MESSAGE",
        "--db PATH",
    ] {
        assert!(tasks::USAGE.contains(command), "{command} in the usage");
    }
    for bad in [
        &["call"][..],
        &["chat"],
        &["frobnicate"],
        &["--db"],
        &["--verbose", "tools"],
    ] {
        assert!(tasks::parse_cli(args(bad), None).is_err(), "{bad:?}");
    }

    // `call`: what the model would read; an error output is the exit code 1 case.
    let registry = tasks::registry(Store::open(&cli.db).expect("opens")).expect("registers");
    let Command::Call { name, arguments } = &cli.command else {
        unreachable!()
    };
    let added = tasks::call(&registry, name, arguments).await;
    assert!(!added.is_error, "{added:?}");
    let task: Value = serde_json::from_str(&added.content).expect("JSON");
    assert_eq!(
        (&task["id"], &task["name"], &task["priority"]),
        (&json!("t-1"), &json!("Buy bread"), &json!(3))
    );
    let listed = tasks::call(&registry, "get_tasks", "").await;
    assert!(!listed.is_error);
    assert_eq!(listed.content, format!("[{}]", added.content));
    let completed = tasks::call(&registry, "complete_task", r#"{"id": "t-1"}"#).await;
    assert!(!completed.is_error);
    assert_eq!(
        tasks::call(&registry, "get_tasks", "{}").await.content,
        "[]"
    );
    let all = tasks::call(&registry, "get_tasks", r#"{"include_completed": true}"#).await;
    assert_eq!(all.content, format!("[{}]", completed.content));
    let unknown = tasks::call(&registry, "add_tasks", "{}").await;
    assert!(unknown.is_error);
    assert!(
        unknown.content.starts_with("unknown tool `add_tasks`"),
        "{}",
        unknown.content
    );
    let removed = tasks::call(&registry, "remove_task", r#"{"id": "t-1"}"#).await;
    assert_eq!(
        (removed.content.as_str(), removed.is_error),
        (r#"removed t-1 "Buy bread""#, false)
    );
    assert_eq!(summary(&db.path), vec![]);

    // `tools`: pretty JSON of the registry's export, declared (strict) or plain.
    let registry = tasks::registry(Store::in_memory().expect("in memory")).expect("registers");
    for (plain, form) in [(false, SchemaForm::Declared), (true, SchemaForm::Plain)] {
        let printed = tasks::tools_json(&registry, plain);
        assert!(printed.starts_with("[\n  {\n"), "pretty: {printed}");
        assert_eq!(
            serde_json::from_str::<Value>(&printed).expect("JSON"),
            registry.export_with(ToolFormat::OpenAiChat, form)
        );
    }
}

#[test]
fn tool_definitions_match_the_snapshot() {
    let registry = tasks::registry(Store::in_memory().expect("in memory")).expect("registers");
    registry.assert_snapshot("tests/snapshots/task_planner.tools.json");

    // In the plain form, what a model may leave out it may leave out: only ids and a new
    // task's name are required; every optional's description says to omit it.
    let plain = registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain);
    let required: Vec<(String, Value)> = plain
        .as_array()
        .expect("an array")
        .iter()
        .map(|tool| {
            let function = &tool["function"];
            let name = function["name"].as_str().expect("a name").to_owned();
            let parameters = &function["parameters"];
            let required = parameters.get("required").cloned().unwrap_or(json!([]));
            for (property, schema) in parameters["properties"].as_object().expect("properties") {
                let optional = !required
                    .as_array()
                    .expect("a list")
                    .contains(&json!(property));
                let description = schema["description"].as_str().expect("described");
                if optional {
                    assert!(
                        description.starts_with("Omit it"),
                        "{name}.{property}: {description}"
                    );
                }
            }
            (name, required)
        })
        .collect();
    assert_eq!(
        required,
        vec![
            ("add_task".to_owned(), json!(["name"])),
            ("update_task".to_owned(), json!(["id"])),
            ("complete_task".to_owned(), json!(["id"])),
            ("remove_task".to_owned(), json!(["id"])),
            ("get_tasks".to_owned(), json!([])),
            ("delete_all_tasks".to_owned(), json!([])),
        ]
    );
    // Only delete_all_tasks waits for a person.
    let approval: Vec<&str> = registry
        .definitions()
        .filter(|definition| definition.markers().needs_approval())
        .map(|definition| definition.name())
        .collect();
    assert_eq!(approval, ["delete_all_tasks"]);
}

/// `chat --summary`: after the run, its turns, the calls by tool (one of two parallel calls
/// failing), the tokens the (scripted) model reported and the wall time.
#[tokio::test]
async fn chat_summary_prints_turns_calls_errors_and_tokens() {
    let db = TempDb::new("summary");
    let store = db.store();
    let usage = |prompt_tokens, completion_tokens| Usage {
        prompt_tokens,
        completion_tokens,
    };
    let ScriptedReply::Respond(calls) = ScriptedReply::tool_calls([
        ("add_task", r#"{"name": "Buy bread"}"#),
        ("update_task", r#"{"id": "t-99", "priority": 1}"#),
    ]) else {
        unreachable!("tool_calls makes a response")
    };
    let model = scripted(vec![
        calls.with_usage(usage(300, 40)).into(),
        ChatResponse::text("I added the bread; there is no task t-99.")
            .with_usage(usage(380, 12))
            .into(),
    ]);
    let assistant = planner(&model, &store);
    let words = ["chat", "--summary", "Add bread and make t-99 a P1"].map(String::from);
    let Ok(Cli {
        command:
            Command::Chat {
                message,
                summary: true,
                ..
            },
        ..
    }) = tasks::parse_cli(words, None)
    else {
        panic!("--summary asks for the summary")
    };
    let mut out = Vec::new();
    let run = tasks::chat(&assistant, &message, &mut never_asked, &mut out)
        .await
        .expect("chat runs");
    assert_eq!(run.status(), RunStatus::Completed);
    tasks::print_summary(&run, &mut out).expect("prints");
    let out = String::from_utf8(out).expect("chat prints text");

    let (_, summary) = out
        .split_once("\n\nrun ")
        .unwrap_or_else(|| panic!("a blank line, then the summary: {out}"));
    let lines: Vec<&str> = summary.lines().collect();
    let [head, tokens, header, add, update, total] = lines[..] else {
        panic!("six lines: {summary}")
    };
    let wall = head
        .strip_prefix(&format!("{}: completed, 2 turns, ", run.id()))
        .unwrap_or_else(|| panic!("id, status, turns, wall time: {head}"));
    assert!(is_duration(wall), "{wall}");
    assert_eq!(tokens, "tokens: 680 prompt + 52 completion = 732");
    assert_eq!(header, "tool         calls  errors       total         max");
    for (line, name, errors) in [(add, "add_task", "0"), (update, "update_task", "1")] {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let [tool, calls, errs, total, total_unit, max, max_unit] = cells[..] else {
            panic!("a tool's row: {line}")
        };
        assert_eq!((tool, calls, errs), (name, "1", errors), "{line}");
        assert!(is_duration(&format!("{total} {total_unit}")), "{line}");
        assert_eq!((max, max_unit), (total, total_unit), "one call: {line}");
    }
    assert_eq!(total, "total            2       1");
}

/// `12.3 ms` or `1.25 s`, as the summary writes durations.
fn is_duration(text: &str) -> bool {
    match text.split_once(' ') {
        Some((number, "ms" | "s")) => number.parse::<f64>().is_ok_and(|n| n >= 0.0),
        _ => false,
    }
}
