//! The task planner's store (SQLite), its tools, and the logic of its subcommands.
//!
//! Everything here is free of terminals, environment variables and real models, so the
//! tests use this module (`examples::tasks`) and run exactly the code the example runs.
//! `task_planner/main.rs` adds what a test cannot: picking a model, starting the local one,
//! and asking a person on the terminal.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use tool_runtime::chat::{ChatModel, Message, RequestOptions};
use tool_runtime::format::SchemaForm;
use tool_runtime::run::{Assistant, Decision, Run, RunEvent, RunOptions, RunStatus, Thread};
use tool_runtime::{tools, RegistryError, ToolCall, ToolFormat, ToolOutput, ToolRegistry};

// --- The store ---------------------------------------------------------------------------

/// The table. Ids are integers SQLite hands out and never reuses (`AUTOINCREMENT`), shown
/// to the model as `t-<n>`: a bare `1` next to "P1" invites a small model to confuse a
/// task with a priority, and an id that is never reused means a stale id from an earlier
/// conversation finds no task instead of someone else's. The `CHECK`s hold even when a
/// bug in the Rust code does not.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tasks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    priority   INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);";

/// The priority of a task given none: 3, in the middle of 1 (most urgent) to 5.
pub const DEFAULT_PRIORITY: u8 = 3;

/// The database path when neither `--db` nor `TASKS_DB` gives one.
pub const DEFAULT_DB: &str = "tasks.db";

/// A task as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Task {
    /// `t-<n>`.
    pub id: String,
    /// What to do.
    pub name: String,
    /// 1 (most urgent) to 5.
    pub priority: u8,
    /// Done.
    pub completed: bool,
    /// UTC, ISO 8601.
    pub created_at: String,
}

/// Why a task operation failed; the model reads the text.
#[derive(Debug)]
pub enum TaskError {
    /// No task has this id.
    NotFound(String),
    /// The text is not an id.
    BadId(String),
    /// The request cannot be carried out as given.
    Invalid(String),
    /// SQLite failed; nothing was changed.
    Database(rusqlite::Error),
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(id) => write!(
                f,
                "no task has the id {id}; get_tasks lists the tasks with their ids"
            ),
            Self::BadId(text) => write!(
                f,
                "{text:?} is not a task id: ids look like t-3 (get_tasks lists them)"
            ),
            Self::Invalid(message) => f.write_str(message),
            Self::Database(error) => {
                write!(f, "the task database failed, nothing was changed: {error}")
            }
        }
    }
}

impl std::error::Error for TaskError {}

impl From<rusqlite::Error> for TaskError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Database(error)
    }
}

/// The id the model sees for row `n`.
fn display_id(n: i64) -> String {
    format!("t-{n}")
}

/// Reads `t-3` (or `T-3`, or a bare `3`) as row 3.
fn parse_id(text: &str) -> Result<i64, TaskError> {
    let trimmed = text.trim();
    let digits = trimmed
        .strip_prefix("t-")
        .or_else(|| trimmed.strip_prefix("T-"))
        .unwrap_or(trimmed);
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| TaskError::BadId(text.to_owned()))
}

fn valid_name(name: &str) -> Result<&str, TaskError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TaskError::Invalid(
            "a task needs a name: say what is to be done, e.g. \"Buy bread\"".to_owned(),
        ));
    }
    Ok(name)
}

/// The task list in a SQLite file, behind a mutex shared by the tools (the `#[tools]` impl
/// below) and the code that shows the model the current tasks.
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, name, priority, completed, created_at";

fn task_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: display_id(row.get(0)?),
        name: row.get(1)?,
        priority: row.get(2)?,
        completed: row.get(3)?,
        created_at: row.get(4)?,
    })
}

fn find(connection: &Connection, id: i64) -> Result<Task, TaskError> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1"),
            [id],
            task_of,
        )
        .optional()?
        .ok_or_else(|| TaskError::NotFound(display_id(id)))
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, TaskError> {
        let connection = Connection::open(path)?;
        // Another process (a second `call`) may hold the write lock for a moment.
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// An empty store in memory (for `tools`, which needs no file).
    pub fn in_memory() -> Result<Self, TaskError> {
        let connection = Connection::open_in_memory()?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` in a write transaction: it commits when `work` succeeds and rolls back
    /// otherwise, so a failed write leaves nothing half-done.
    fn write<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, TaskError>,
    ) -> Result<T, TaskError> {
        // A panic inside `work` drops its transaction, which rolls back: the connection
        // behind a poisoned lock is still consistent.
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Adds a task.
    pub fn add(&self, name: &str, priority: u8) -> Result<Task, TaskError> {
        let name = valid_name(name)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tasks (name, priority) VALUES (?1, ?2)",
                (name, priority),
            )?;
            find(tx, tx.last_insert_rowid())
        })
    }

    /// Changes the given fields of task `id`, all or none.
    pub fn update(
        &self,
        id: &str,
        name: Option<&str>,
        priority: Option<u8>,
        completed: Option<bool>,
    ) -> Result<Task, TaskError> {
        let row = parse_id(id)?;
        let name = name.map(valid_name).transpose()?;
        if name.is_none() && priority.is_none() && completed.is_none() {
            return Err(TaskError::Invalid(format!(
                "nothing to change for {}: give name, priority or completed",
                display_id(row)
            )));
        }
        self.write(|tx| {
            find(tx, row)?;
            // One statement per field: with the transaction, a failure in any of them
            // undoes the ones before it.
            if let Some(name) = name {
                tx.execute("UPDATE tasks SET name = ?1 WHERE id = ?2", (name, row))?;
            }
            if let Some(priority) = priority {
                tx.execute(
                    "UPDATE tasks SET priority = ?1 WHERE id = ?2",
                    (priority, row),
                )?;
            }
            if let Some(completed) = completed {
                tx.execute(
                    "UPDATE tasks SET completed = ?1 WHERE id = ?2",
                    (completed, row),
                )?;
            }
            find(tx, row)
        })
    }

    /// Deletes task `id`; returns it as it was.
    pub fn remove(&self, id: &str) -> Result<Task, TaskError> {
        let row = parse_id(id)?;
        self.write(|tx| {
            let task = find(tx, row)?;
            tx.execute("DELETE FROM tasks WHERE id = ?1", [row])?;
            Ok(task)
        })
    }

    /// Deletes every task; returns how many there were.
    pub fn delete_all(&self) -> Result<usize, TaskError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM tasks", [])?))
    }

    /// The tasks, open ones first, most urgent first, then oldest first.
    pub fn list(&self, include_completed: bool) -> Result<Vec<Task>, TaskError> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut statement = connection.prepare(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE ?1 OR completed = 0 \
             ORDER BY completed, priority, id"
        ))?;
        let tasks = statement
            .query_map([include_completed], task_of)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(tasks)
    }
}

// --- The tools ---------------------------------------------------------------------------

/// A priority: 1 (most urgent, "P1") to 5. Its schema says so, so a model that follows the
/// schema never sends one the store refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct Priority(u8);

impl Priority {
    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Priority {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, String> {
        match u8::try_from(value) {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(format!(
                "a priority is 1 (most urgent) to 5 (least urgent), not {value}"
            )),
        }
    }
}

impl JsonSchema for Priority {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Priority".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1, "maximum": 5})
    }
}

/// The planner's tools: the store's operations as the model sees them, sharing the store
/// (`registry.register_all(store)`).
#[tools]
impl Store {
    /// Add a task to the user's list and return it as stored, with its id. Make one call per
    /// task: a message that mentions three things to do needs three calls.
    ///
    /// # Arguments
    /// * `name` - What is to be done, short and specific, e.g. "Call the dentist".
    /// * `priority` - Omit it unless the user gives a priority; a task without one gets 3 (normal). 1 is the most urgent ("P1"), 5 the least.
    #[tool]
    pub fn add_task(&self, name: String, priority: Option<Priority>) -> Result<Task, TaskError> {
        self.add(&name, priority.map_or(DEFAULT_PRIORITY, Priority::get))
    }

    /// Change a task and return it as stored. Only the fields given change: leave out every
    /// field that is to stay as it is. To mark a task done, complete_task is simpler.
    ///
    /// # Arguments
    /// * `id` - The task's id, e.g. "t-3", as listed with the current tasks or by get_tasks.
    /// * `name` - Omit it to keep the current name; give it only to rename the task.
    /// * `priority` - Omit it to keep the current priority; give it only to change it: 1 is the most urgent ("P1"), 5 the least.
    /// * `completed` - Omit it to leave the task open or done as it is; true marks it done, false reopens it.
    #[tool]
    pub fn update_task(
        &self,
        id: String,
        name: Option<String>,
        priority: Option<Priority>,
        completed: Option<bool>,
    ) -> Result<Task, TaskError> {
        self.update(&id, name.as_deref(), priority.map(Priority::get), completed)
    }

    /// Mark a task as done and return it as stored. The task stays in the list, as completed.
    ///
    /// # Arguments
    /// * `id` - The task's id, e.g. "t-3", as listed with the current tasks or by get_tasks.
    #[tool(idempotent)]
    pub fn complete_task(&self, id: String) -> Result<Task, TaskError> {
        self.update(&id, None, None, Some(true))
    }

    /// Delete one task for good, e.g. one added by mistake. To mark a task done, use
    /// complete_task instead.
    ///
    /// # Arguments
    /// * `id` - The task's id, e.g. "t-3", as listed with the current tasks or by get_tasks.
    #[tool]
    pub fn remove_task(&self, id: String) -> Result<String, TaskError> {
        let task = self.remove(&id)?;
        Ok(format!("removed {} {:?}", task.id, task.name))
    }

    /// List the tasks with their ids, open ones first and the most urgent first.
    ///
    /// # Arguments
    /// * `include_completed` - Omit it to list only the open tasks; true lists the completed ones too.
    #[tool(read_only)]
    pub fn get_tasks(&self, include_completed: Option<bool>) -> Result<Vec<Task>, TaskError> {
        self.list(include_completed.unwrap_or(false))
    }

    /// Delete every task, open and completed, for good. Call it only when the user asks to
    /// clear the whole list; the user must confirm before it runs.
    #[tool(destructive)]
    pub fn delete_all_tasks(&self) -> Result<String, TaskError> {
        let count = self.delete_all()?;
        Ok(match count {
            1 => "deleted 1 task".to_owned(),
            n => format!("deleted {n} tasks"),
        })
    }
}

/// The planner's tools, sharing `store`.
pub fn registry(store: Store) -> Result<ToolRegistry, RegistryError> {
    let mut registry = ToolRegistry::new();
    registry.register_all(store)?;
    Ok(registry)
}

// --- The command line --------------------------------------------------------------------

/// How to use the example.
pub const USAGE: &str = "\
Usage: task_planner [--db PATH] COMMAND

Commands:
  tools [--plain]     print the tool definitions a model is given (OpenAI Chat format;
                      --plain: the form sent to local servers, optionals omittable)
  call NAME [ARGS]    run one tool call (ARGS: its JSON arguments) and print its output;
                      exit code 1 when the output is an error
  chat [--summary] [--record FILE] MESSAGE
                      ask the assistant, with the current tasks as context; it asks on
                      the terminal before deleting everything; --summary: print the
                      run's turns, tool calls (errors, durations), tokens and wall time;
                      --record: write the model's exchanges to FILE, API keys scrubbed
                      (a recording a test replays: docs/recorded-runs.md)

The database is PATH, else $TASKS_DB, else ./tasks.db (created when missing).
The model: OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL when set, else the local
model of scripts/local-model.sh.";

/// A subcommand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the tools' definitions.
    Tools {
        /// In the plain schema form, not the declared one.
        plain: bool,
    },
    /// Run one tool call, without a model.
    Call {
        /// The tool.
        name: String,
        /// Its arguments' JSON text.
        arguments: String,
    },
    /// Talk to a model.
    Chat {
        /// The user's message.
        message: String,
        /// Print the run's summary at the end.
        summary: bool,
        /// Record the model's exchanges to this file.
        record: Option<PathBuf>,
    },
    /// Print the usage.
    Help,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cli {
    /// The tasks database.
    pub db: PathBuf,
    /// What to do.
    pub command: Command,
}

/// Reads the arguments (without the program name); `tasks_db` is `$TASKS_DB`.
pub fn parse_cli(
    args: impl IntoIterator<Item = String>,
    tasks_db: Option<String>,
) -> Result<Cli, String> {
    let mut db = tasks_db.filter(|path| !path.trim().is_empty());
    let mut plain = false;
    let mut summary = false;
    let mut record = None;
    let mut words = Vec::new();
    let mut args = args.into_iter();
    let mut options_done = false;
    while let Some(arg) = args.next() {
        if options_done {
            words.push(arg);
            continue;
        }
        match arg.as_str() {
            "--" => options_done = true,
            "--db" => db = Some(args.next().ok_or("--db needs a PATH")?),
            "--plain" => plain = true,
            "--summary" => summary = true,
            "--record" => record = Some(PathBuf::from(args.next().ok_or("--record needs a FILE")?)),
            "-h" | "--help" => words.insert(0, "help".to_owned()),
            _ => {
                if let Some(path) = arg.strip_prefix("--db=") {
                    db = Some(path.to_owned());
                } else if let Some(path) = arg.strip_prefix("--record=") {
                    record = Some(PathBuf::from(path));
                } else if arg.starts_with("--") {
                    return Err(format!("unknown option {arg}"));
                } else {
                    words.push(arg);
                }
            }
        }
    }
    let db = PathBuf::from(db.unwrap_or_else(|| DEFAULT_DB.to_owned()));
    let mut words = words.into_iter();
    let command = match words.next().as_deref() {
        None | Some("help") => Command::Help,
        Some("tools") => Command::Tools { plain },
        Some("call") => {
            let name = words.next().ok_or("call needs a tool NAME")?;
            let arguments = words.next().unwrap_or_default();
            if let Some(extra) = words.next() {
                return Err(format!(
                    "call takes NAME and one ARGS, got also {extra:?} (quote the JSON)"
                ));
            }
            Command::Call { name, arguments }
        }
        Some("chat") => {
            let message = words.collect::<Vec<_>>().join(" ");
            if message.trim().is_empty() {
                return Err("chat needs a MESSAGE, e.g. chat \"I need to buy bread\"".into());
            }
            Command::Chat {
                message,
                summary,
                record,
            }
        }
        Some(other) => return Err(format!("unknown command {other:?}")),
    };
    Ok(Cli { db, command })
}

/// `tools`: the definitions, pretty JSON. Declared form: what OpenAI is sent (strict);
/// plain: what other OpenAI-compatible servers are sent.
pub fn tools_json(registry: &ToolRegistry, plain: bool) -> String {
    let form = if plain {
        SchemaForm::Plain
    } else {
        SchemaForm::Declared
    };
    let tools = registry.export_with(ToolFormat::OpenAiChat, form);
    serde_json::to_string_pretty(&tools).unwrap_or_else(|_| tools.to_string())
}

/// `call`: one tool call, as a model would make it (empty `arguments`: none).
pub async fn call(registry: &ToolRegistry, name: &str, arguments: &str) -> ToolOutput {
    registry
        .dispatch(&ToolCall::new("call_cli", name, arguments))
        .await
}

// --- chat --------------------------------------------------------------------------------

/// Tasks shown to the model in its instructions, at most.
const CONTEXT_TASKS: usize = 50;

/// The assistant's instructions, with the current tasks, so the model can refer to them
/// by id without a get_tasks call first.
pub fn instructions(store: &Store) -> Result<String, TaskError> {
    let tasks = store.list(true)?;
    let mut text = String::from(
        "You keep the user's task list with the tools you have. Do what the user asks with \
         tool calls, then say in one short sentence what you did.\n\
         - Add one task per thing the user needs to do.\n\
         - Refer to existing tasks by their ids, listed below.\n\
         - Priorities go from 1 (most urgent, \"P1\") to 5; set one only when the user gives it.\n\n",
    );
    if tasks.is_empty() {
        text.push_str("The list is empty: there are no tasks yet.");
        return Ok(text);
    }
    text.push_str("Current tasks (id | priority | state | name):");
    for task in tasks.iter().take(CONTEXT_TASKS) {
        let state = if task.completed { "done" } else { "open" };
        text.push_str(&format!(
            "\n{} | P{} | {state} | {}",
            task.id, task.priority, task.name
        ));
    }
    if tasks.len() > CONTEXT_TASKS {
        text.push_str(&format!(
            "\n... and {} more (get_tasks lists them)",
            tasks.len() - CONTEXT_TASKS
        ));
    }
    Ok(text)
}

/// How a chat run goes: a few turns (a request, its tool calls, an answer; room for a
/// correction or two), short replies, parallel calls, temperature 0, and a deadline that
/// also covers the time a person takes to approve.
///
/// Temperature 0 because a tool call is not creative writing: the model's likeliest call
/// is its best one, and sampled at llama.cpp's or Ollama's default (0.8) a small model
/// gets more calls wrong (docs/local-model.md). OpenAI's reasoning models take no
/// temperature: use a chat model such as `gpt-4o-mini` with the planner.
pub fn run_options() -> RunOptions {
    RunOptions::default()
        .with_max_turns(8)
        .with_deadline(Duration::from_secs(600))
        .with_request(
            RequestOptions::default()
                .with_max_tokens(300)
                .with_parallel_tool_calls(true)
                .with_temperature(0.0),
        )
}

/// The planner assistant: `model`, the tools over `store`, the current tasks as context.
pub fn assistant(
    model: Arc<dyn ChatModel>,
    store: &Store,
) -> Result<Assistant, Box<dyn std::error::Error>> {
    let instructions = instructions(store)?;
    let registry = registry(store.clone())?;
    Ok(Assistant::from_shared(model, Arc::new(registry))
        .with_instructions(instructions)
        .with_options(run_options()))
}

/// What the model reads when a call needing approval could not be put to anyone.
pub fn no_terminal_message(call: &ToolCall) -> String {
    format!(
        "Not run: {} needs the user's confirmation and there was no terminal to ask on, so \
         it was refused and nothing changed. Tell the user to run the request from a \
         terminal to confirm it.",
        call.name
    )
}

/// What the model reads when the user said no.
pub fn declined_message(call: &ToolCall) -> String {
    format!(
        "Not run: the user declined {}; nothing changed. Do not call it again unless the \
         user asks for it anew.",
        call.name
    )
}

/// [`ask`] on this process's terminal: the question on stderr, the answer from stdin, after
/// what was printed on stdout so far (`chat`'s stream) has gone out. Not a terminal: every
/// call is rejected.
pub fn ask_on_terminal(call: &ToolCall) -> Decision {
    let _ = io::stdout().flush();
    let interactive = io::stdin().is_terminal();
    ask(
        call,
        interactive,
        &mut io::stdin().lock(),
        &mut io::stderr(),
    )
}

/// Asks on `prompt` whether to run `call`, reading the answer from `input`: only `y` or
/// `yes` approves. Without a terminal (`interactive` false), on end of input or on a read
/// error, the call is rejected: it fails closed.
pub fn ask(
    call: &ToolCall,
    interactive: bool,
    input: &mut dyn BufRead,
    prompt: &mut dyn Write,
) -> Decision {
    let arguments = match call.arguments.trim() {
        "" => "{}",
        text => text,
    };
    if !interactive {
        // Best effort: the rejection holds whether or not the note can be written.
        let _ = writeln!(
            prompt,
            "{} {arguments} needs confirmation and there is no terminal to ask on: rejected",
            call.name
        );
        return Decision::Reject {
            message: no_terminal_message(call),
        };
    }
    let _ = write!(prompt, "Run {} {arguments} ? [y/N] ", call.name);
    let _ = prompt.flush();
    let mut answer = String::new();
    match input.read_line(&mut answer) {
        Ok(n) if n > 0 && matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") => {
            Decision::Approve { arguments: None }
        }
        Ok(0) | Err(_) => Decision::Reject {
            message: no_terminal_message(call),
        },
        Ok(_) => Decision::Reject {
            message: declined_message(call),
        },
    }
}

/// Renders run events as text: the model's text as it streams, each tool call's name and
/// then its arguments as they stream, each output.
struct Printer<'a> {
    out: &'a mut dyn Write,
    names: HashMap<String, String>,
    /// The call whose arguments the current line shows.
    call_line: Option<String>,
    /// Whether the current line has text on it.
    open_line: bool,
}

impl Printer<'_> {
    fn end_line(&mut self) -> io::Result<()> {
        if self.open_line {
            writeln!(self.out)?;
        }
        self.open_line = false;
        self.call_line = None;
        Ok(())
    }

    fn event(&mut self, event: RunEvent) -> io::Result<()> {
        match event {
            RunEvent::TextDelta(text) => {
                if self.call_line.is_some() {
                    self.end_line()?;
                }
                write!(self.out, "{text}")?;
                self.open_line = !text.ends_with('\n');
            }
            RunEvent::ToolCallCreated { id, name } => {
                self.end_line()?;
                write!(self.out, "-> {name} ")?;
                self.names.insert(id.clone(), name);
                self.call_line = Some(id);
                self.open_line = true;
            }
            RunEvent::ToolCallDelta { id, arguments } => {
                if self.call_line.as_ref() != Some(&id) {
                    // Pieces of parallel calls interleaved: say whose these are.
                    self.end_line()?;
                    let name = self.names.get(&id).map_or("?", String::as_str);
                    write!(self.out, "-> {name} ...")?;
                    self.call_line = Some(id);
                    self.open_line = true;
                }
                write!(self.out, "{arguments}")?;
            }
            RunEvent::MessageDone(_) => self.end_line()?,
            RunEvent::ToolOutput(output) => {
                self.end_line()?;
                let name = self
                    .names
                    .get(&output.tool_call_id)
                    .map_or("?", String::as_str);
                let mark = if output.is_error { "error" } else { "ok" };
                writeln!(self.out, "<- {name} {mark}: {}", output.content)?;
            }
            // Status changes, usage, the end: what `chat` says after the run.
            _ => {}
        }
        self.out.flush()
    }
}

/// `chat --summary`: the run in sum (see [`Run::summary`]), after a blank line.
pub fn print_summary(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "\n{}", run.summary())?;
    out.flush()
}

/// `chat`: runs `message` through `assistant`, printing events to `out` as they stream.
/// A call that needs approval is put to `approve`; the run goes on with its decision.
/// Returns the run once it has ended.
pub async fn chat(
    assistant: &Assistant,
    message: &str,
    approve: &mut dyn FnMut(&ToolCall) -> Decision,
    out: &mut dyn Write,
) -> Result<Run, Box<dyn std::error::Error>> {
    let mut run = assistant.start(Thread::from(vec![Message::user(message)]));
    let mut printer = Printer {
        out,
        names: HashMap::new(),
        call_line: None,
        open_line: false,
    };
    loop {
        let mut events = assistant.events(&mut run);
        while let Some(event) = events.next().await {
            printer.event(event)?;
        }
        drop(events);
        printer.end_line()?;
        if run.status() != RunStatus::RequiresAction {
            break;
        }
        let waiting: Vec<ToolCall> = run.required_action().into_iter().cloned().collect();
        for call in waiting {
            match approve(&call) {
                Decision::Approve { arguments: None } => run.approve(&call.id)?,
                Decision::Approve {
                    arguments: Some(arguments),
                } => run.approve_with(&call.id, arguments)?,
                Decision::Reject { message } => run.reject(&call.id, message)?,
            }
        }
    }
    if run.status() != RunStatus::Completed {
        let why = run
            .last_error()
            .map_or_else(String::new, |error| format!(": {}", error.message));
        writeln!(printer.out, "(the run ended {:?}{why})", run.status())?;
    }
    Ok(run)
}
