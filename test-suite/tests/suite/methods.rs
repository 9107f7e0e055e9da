//! `#[tool]` methods of a `#[tools]` impl against the same tools written as free functions
//! taking `State<T>`: the same definitions in every format, the same outputs for the same
//! calls (errors included); and `register_all`: the tools share the value, and a set (made
//! by `#[tools]` or by hand) is registered whole or not at all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tool_runtime::format::SchemaForm;
use tool_runtime::tool::{Strictness, ToolBatch, ToolMarkers};
use tool_runtime::validate::{Limits, OnViolation, Validator};
use tool_runtime::{
    tool, tools, CallContext, RegistryError, State, ToolCall, ToolFormat, ToolRegistry, ToolSet,
};

/// A note as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct Note {
    id: usize,
    text: String,
    priority: u8,
}

/// Which notes to list.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum Filter {
    /// Every note.
    All,
    /// Notes of priority 1.
    Urgent,
}

/// Who the notes are for: state the model never sees.
pub(super) struct Owner(&'static str);

/// The notes, shared by every tool of one value.
#[derive(Default)]
pub(super) struct Notes {
    notes: Mutex<Vec<Note>>,
    calls: AtomicUsize,
}

impl Notes {
    const DEFAULT_PRIORITY: u8 = 3;

    fn insert(&self, text: String, priority: u8) -> Result<Note, String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if text.trim().is_empty() {
            return Err("a note needs text".to_owned());
        }
        let mut notes = self.notes.lock().unwrap();
        let note = Note {
            id: notes.len() + 1,
            text,
            priority,
        };
        notes.push(note.clone());
        Ok(note)
    }

    fn select(&self, filter: Option<Filter>, limit: usize) -> Vec<Note> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let notes = self.notes.lock().unwrap();
        (notes.iter())
            .filter(|note| !matches!(filter, Some(Filter::Urgent)) || note.priority == 1)
            .take(limit)
            .cloned()
            .collect()
    }
}

/// The tools as methods.
#[tools]
impl Notes {
    /// Add a note and return it with its id.
    ///
    /// # Arguments
    /// * `text` - What to remember.
    #[tool]
    pub(super) fn add_note(
        &self,
        text: String,
        /// 1 (most urgent) to 5; omit it for 3.
        #[tool(default = Self::DEFAULT_PRIORITY)]
        priority: u8,
    ) -> Result<Note, String> {
        self.insert(text, priority)
    }

    /// List notes, oldest first.
    ///
    /// # Arguments
    /// * `filter` - Which notes; omit it for all.
    /// * `limit` - At most this many.
    #[tool(read_only, idempotent)]
    pub(super) async fn list_notes(
        &self,
        filter: Option<Filter>,
        #[tool(default = 10)] limit: usize,
    ) -> Vec<Note> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.select(filter, limit)
    }

    /// Delete every note.
    #[tool(name = "clear_notes", destructive)]
    pub(super) fn clear(&self, call: CallContext) -> String {
        self.notes.lock().unwrap().clear();
        format!("cleared by {}", call.id())
    }

    /// Say whose notes these are.
    #[tool(strict = false)]
    pub(super) async fn whose(&self, owner: State<Owner>) -> String {
        format!("{}'s notes", owner.0 .0)
    }

    /// Always fails, loudly.
    #[tool]
    pub(super) fn explode(&self) {
        panic!("boom")
    }

    /// Not a tool: left as written.
    pub(super) fn count(&self) -> usize {
        self.notes.lock().unwrap().len()
    }
}

/// The same tools as free functions over `State<Notes>`.
mod free {
    use super::*;

    /// Add a note and return it with its id.
    ///
    /// # Arguments
    /// * `text` - What to remember.
    #[tool]
    pub(super) fn add_note(
        notes: State<Notes>,
        text: String,
        /// 1 (most urgent) to 5; omit it for 3.
        #[tool(default = Notes::DEFAULT_PRIORITY)]
        priority: u8,
    ) -> Result<Note, String> {
        notes.insert(text, priority)
    }

    /// List notes, oldest first.
    ///
    /// # Arguments
    /// * `filter` - Which notes; omit it for all.
    /// * `limit` - At most this many.
    #[tool(read_only, idempotent)]
    pub(super) async fn list_notes(
        notes: State<Notes>,
        filter: Option<Filter>,
        #[tool(default = 10)] limit: usize,
    ) -> Vec<Note> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        notes.select(filter, limit)
    }

    /// Delete every note.
    #[tool(name = "clear_notes", destructive)]
    pub(super) fn clear(notes: State<Notes>, call: CallContext) -> String {
        notes.notes.lock().unwrap().clear();
        format!("cleared by {}", call.id())
    }

    /// Say whose notes these are.
    #[tool(strict = false)]
    pub(super) async fn whose(owner: State<Owner>) -> String {
        format!("{}'s notes", owner.0 .0)
    }

    /// Always fails, loudly.
    #[tool]
    pub(super) fn explode() {
        panic!("boom")
    }

    /// The free tools as one set, by hand.
    pub(super) struct Tools;

    impl ToolSet for Tools {
        fn tools(self: Arc<Self>, tools: &mut ToolBatch) {
            tools
                .add(AddNote)
                .add(ListNotes)
                .add(Clear)
                .add(Whose)
                .add(Explode);
        }
    }

    pub(super) fn registry() -> ToolRegistry {
        let mut registry = ToolRegistry::new()
            .with_state(Notes::default())
            .with_state(Owner("Ada"));
        registry
            .register_all(Tools)
            .expect("the free tools register");
        registry
    }
}

fn methods_registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new().with_state(Owner("Ada"));
    registry
        .register_all(Notes::default())
        .expect("the methods register");
    registry
}

/// Calls covering each kind of output: values, defaults, `null` for absent, the model's
/// mistakes, a tool's `Err`, a panic, state, the call context, an unknown tool.
fn calls() -> Vec<ToolCall> {
    [
        ("add_note", r#"{"text": "Buy bread"}"#),
        ("add_note", r#"{"text": "Taxes", "priority": 1}"#),
        ("add_note", r#"{"text": "Gym", "priority": null}"#),
        ("add_note", r#"{"text": " "}"#),
        ("add_note", r#"{"text": "x", "priority": 300}"#),
        ("add_note", r#"{"txt": "x"}"#),
        ("add_note", r#"{"text": 3}"#),
        ("add_note", "not json"),
        ("list_notes", ""),
        ("list_notes", r#"{"filter": "urgent"}"#),
        ("list_notes", r#"{"filter": "done"}"#),
        ("list_notes", r#"{"filter": null, "limit": 1}"#),
        ("whose", "{}"),
        ("explode", ""),
        ("clear_notes", "{}"),
        ("list_notes", "{}"),
        ("clear", "{}"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, arguments))| ToolCall::new(format!("call_{i}"), name, arguments))
    .collect()
}

#[test]
fn a_method_and_a_free_function_have_the_same_definition_in_every_format() {
    let (methods, free) = (methods_registry(), free::registry());
    assert_eq!(
        methods.names().collect::<Vec<_>>(),
        ["add_note", "list_notes", "clear_notes", "whose", "explode"]
    );
    for format in ToolFormat::ALL {
        assert_eq!(methods.export(format), free.export(format), "{format}");
    }
    fn definitions(registry: &ToolRegistry) -> Vec<(&ToolMarkers, Strictness)> {
        (registry.definitions())
            .map(|d| (d.markers(), d.strictness()))
            .collect()
    }
    assert_eq!(definitions(&methods), definitions(&free));
    // `Self::DEFAULT_PRIORITY` became the schema's default, as `Notes::DEFAULT_PRIORITY` did.
    let plain = methods.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain);
    assert_eq!(
        plain[0]["function"]["parameters"]["properties"]["priority"]["default"],
        3
    );
}

#[tokio::test]
async fn a_method_and_a_free_function_answer_every_call_alike() {
    let (methods, free) = (methods_registry(), free::registry());
    for call in calls() {
        let (ours, theirs) = (methods.dispatch(&call).await, free.dispatch(&call).await);
        assert_eq!(ours, theirs, "{} {}", call.name, call.arguments);
    }
    // And in one concurrent batch.
    let (methods, free) = (methods_registry(), free::registry());
    let calls = calls();
    let ours = methods.dispatch_all(&calls).await;
    assert_eq!(ours, free.dispatch_all(&calls).await);
    let errors: Vec<&str> = (ours.iter())
        .filter(|output| output.is_error)
        .map(|output| output.content.as_str())
        .collect();
    assert_eq!(
        errors,
        [
            "a note needs text",
            "invalid arguments for tool `add_note`: priority: invalid value: integer `300`, expected u8",
            "invalid arguments for tool `add_note`: txt: unknown field `txt`, expected `text` or `priority`",
            "invalid arguments for tool `add_note`: text: invalid type: integer `3`, expected a string",
            "invalid arguments for tool `add_note`: the arguments are not valid JSON (expected ident at line 1 column 2)",
            "invalid arguments for tool `list_notes`: filter: unknown variant `done`, expected `all` or `urgent`",
            "tool `explode` panicked: boom",
            "unknown tool `clear`; available tools: `add_note`, `list_notes`, `clear_notes`, `whose`, `explode`",
        ]
    );
}

#[tokio::test]
async fn the_tools_share_the_registered_value_and_drop_it_with_the_registry() {
    let notes = Arc::new(Notes::default());
    let mut registry = ToolRegistry::new().with_state(Owner("Ada"));
    registry
        .register_all(Arc::clone(&notes))
        .expect("an Arc of a set is a set");
    // One `Arc` per tool, all of the caller's value.
    assert_eq!(Arc::strong_count(&notes), 1 + registry.len());

    let calls: Vec<ToolCall> = (0..8)
        .map(|i| {
            ToolCall::new(
                format!("c{i}"),
                "add_note",
                format!(r#"{{"text": "n{i}"}}"#),
            )
        })
        .chain([ToolCall::new("l", "list_notes", r#"{"limit": 100}"#)])
        .collect();
    let outputs = registry.clone().dispatch_all(&calls).await;
    assert!(outputs.iter().all(|output| !output.is_error), "{outputs:?}");
    assert_eq!(notes.count(), 8);
    assert_eq!(notes.calls.load(Ordering::SeqCst), 9);

    drop(registry);
    assert_eq!(Arc::strong_count(&notes), 1);
}

/// Delete the notes.
#[tool(name = "clear_notes")]
fn clear_all() -> &'static str {
    "cleared"
}

mod elsewhere {
    pub(super) struct Bin;
}

#[tools]
impl elsewhere::Bin {
    /// Empty the bin.
    #[tool(name = "clear_notes")]
    fn empty(&self) {}
}

/// The registry's tools, by name.
fn names(registry: &ToolRegistry) -> Vec<&str> {
    registry.names().collect()
}

#[test]
fn a_duplicate_name_refuses_the_whole_set_and_names_the_method() {
    let mut registry = ToolRegistry::new().with_state(Owner("Ada"));
    registry.register(ClearAll).unwrap();
    let error = registry.register_all(Notes::default()).unwrap_err();
    assert_eq!(
        error,
        RegistryError::DuplicateName {
            name: "clear_notes".into(),
            existing: "suite::suite::methods::ClearAll",
            new: "suite::suite::methods::Notes::clear",
        }
    );
    assert_eq!(names(&registry), ["clear_notes"], "nothing of the set");
    // A type written as a path is named as written.
    let error = registry.register_all(elsewhere::Bin).unwrap_err();
    assert!(
        matches!(
            error,
            RegistryError::DuplicateName {
                new: "elsewhere::Bin::empty",
                ..
            }
        ),
        "{error}"
    );

    // The same set twice: its first tool is refused the second time.
    let mut registry = methods_registry();
    let again = registry.register_all(Notes::default()).unwrap_err();
    assert!(
        again.to_string().starts_with(
            "tool name `add_note` is already taken by `suite::suite::methods::Notes::add_note`, so `suite::suite::methods::Notes::add_note` cannot be registered"
        ),
        "{again}"
    );
    assert_eq!(registry.len(), 5);
}

#[test]
fn missing_state_refuses_the_whole_set() {
    let mut registry = ToolRegistry::new();
    let error = registry.register_all(Notes::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tool `whose` takes `State<suite::suite::methods::Owner>`, but the registry holds no `suite::suite::methods::Owner`; add it with ToolRegistry::with_state before registering the tool"
    );
    assert!(registry.is_empty());
}

/// Tags, a map: Gemini's OpenAPI subset cannot say it, and strict mode cannot hold it.
pub(super) struct Tags;

#[tools]
impl Tags {
    /// Count the tags.
    #[tool]
    fn count_tags(&self) -> usize {
        0
    }

    /// Set labels.
    ///
    /// # Arguments
    /// * `labels` - The labels, by name.
    #[tool]
    fn set_labels(&self, labels: HashMap<String, String>) -> usize {
        labels.len()
    }
}

/// A strict tool whose schema cannot be.
pub(super) struct Strict;

#[tools]
impl Strict {
    /// Say hello.
    #[tool]
    fn hello(&self) -> &'static str {
        "hello"
    }

    /// Set labels.
    ///
    /// # Arguments
    /// * `labels` - The labels, by name.
    #[tool(strict)]
    fn set_labels(&self, labels: HashMap<String, String>) -> usize {
        labels.len()
    }
}

#[test]
fn an_invalid_definition_refuses_the_whole_set() {
    let mut legacy =
        ToolRegistry::new().with_validation([ToolFormat::GeminiOpenApi], OnViolation::Error);
    let error = legacy.register_all(Tags).unwrap_err();
    assert!(
        matches!(&error, RegistryError::InvalidDefinition { tool, format: ToolFormat::GeminiOpenApi, .. } if tool == "set_labels"),
        "{error}"
    );
    assert!(legacy.is_empty());

    let mut registry = ToolRegistry::new();
    let error = registry.register_all(Strict).unwrap_err();
    assert!(
        matches!(&error, RegistryError::NotStrict { tool, .. } if tool == "set_labels"),
        "{error}"
    );
    assert!(registry.is_empty());
    registry
        .register_all(Tags)
        .expect("the default formats take a map");
}

#[test]
fn a_limit_on_the_number_of_tools_counts_the_set() {
    let mut limits = Limits::of(ToolFormat::OpenAiChat);
    limits.max_tools = Some(2);
    let two = Validator::new(ToolFormat::OpenAiChat).with_limits(limits);
    let mut registry = ToolRegistry::new().with_validation([two], OnViolation::Error);
    registry.register(ClearAll).unwrap();
    let error = registry.register_all(Tags).unwrap_err();
    assert!(
        matches!(&error, RegistryError::InvalidDefinition { tool, .. } if tool == "set_labels"),
        "{error}"
    );
    assert_eq!(names(&registry), ["clear_notes"]);
}
