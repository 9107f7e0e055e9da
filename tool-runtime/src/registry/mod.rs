//! The registry: the set of tools a model may call and the state they share, and
//! everything done with it — registering ([`register`](ToolRegistry::register)),
//! dispatching calls ([`dispatch`](ToolRegistry::dispatch)), exporting definitions
//! ([`export`](ToolRegistry::export)), checking them ([`validate`](ToolRegistry::validate))
//! and the drift check ([`assert_snapshot`](ToolRegistry::assert_snapshot)).
//!
//! [`ToolRegistry`] and [`RegistryError`](crate::RegistryError) are at the crate root;
//! this module holds the future a dispatch returns.

mod dispatch;
mod error;
mod export;
mod name;
mod register;
mod snapshot;
mod subset;

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use name::same_name;

use rustc_hash::FxBuildHasher;

use crate::context::StateMap;
use crate::definition::ToolDefinition;
use crate::format::ToolFormat;
use crate::tool::{DynTool, Tool, ToolBatch, ToolSet};
use crate::validate::{OnViolation, Validator};

pub use dispatch::Dispatch;
pub use error::RegistryError;

/// The tools a model may call: registered once, exported for a provider, dispatched by name.
///
/// ```
/// use tool_runtime::{tool, ToolCall, ToolRegistry};
///
/// /// Add two numbers.
/// ///
/// /// # Arguments
/// /// * `a` - The first number.
/// /// * `b` - The second number.
/// #[tool]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Add)?;
///
/// let output = registry.dispatch(&ToolCall::new("call_1", "add", r#"{"a": 2, "b": 3}"#)).await;
/// assert_eq!((output.content.as_str(), output.is_error), ("5", false));
///
/// let output = registry.dispatch(&ToolCall::new("call_2", "add", r#"{"a": 2}"#)).await;
/// assert_eq!(output.content, "invalid arguments for tool `add`: missing field `b`");
/// assert!(output.is_error);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct ToolRegistry {
    pub(crate) tools: Vec<Arc<dyn DynTool>>,
    // Fx, not SipHash: the keys are the registered names, so a hostile lookup cannot
    // flood one bucket, and the lookup is on every call's path.
    pub(crate) index: HashMap<String, usize, FxBuildHasher>,
    // The names again, in registration order: a few are compared in turn (what a `match`
    // on the name does), which is cheaper than hashing the name.
    pub(crate) names: Vec<Box<str>>,
    pub(crate) state: StateMap,
    pub(crate) concurrency: Option<NonZeroUsize>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) checks: Checks,
}

/// The formats a registry checks its tools against, and what a violation does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checks {
    pub(crate) validators: Vec<Validator>,
    pub(crate) on_violation: OnViolation,
}

impl Default for Checks {
    /// Every format but Gemini's legacy OpenAPI subset, which cannot say maps or
    /// recursive types and is only used on request.
    fn default() -> Self {
        Self {
            validators: ToolFormat::ALL
                .into_iter()
                .filter(|format| *format != ToolFormat::GeminiOpenApi)
                .map(Validator::new)
                .collect(),
            on_violation: OnViolation::Error,
        }
    }
}

impl ToolRegistry {
    /// An empty registry: no tools, no state, no timeout, every call of a batch at once;
    /// tools are checked against the rules of every format but
    /// [`ToolFormat::GeminiOpenApi`] when registered.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Say hello.
    /// #[tool]
    /// fn hello() -> &'static str { "Hello!" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// assert!(registry.is_empty());
    /// registry.register(Hello)?;
    /// assert_eq!(registry.len(), 1);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value that tools taking `State<T>` receive. One value per type; a second
    /// value of the same type replaces the first. Add state before the tools that use it.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use tool_runtime::{tool, State, ToolCall, ToolRegistry};
    ///
    /// struct Prices {
    ///     by_item: HashMap<&'static str, u32>,
    /// }
    ///
    /// /// The price of an item, in cents.
    /// ///
    /// /// # Arguments
    /// /// * `item` - The item's name.
    /// #[tool]
    /// fn price(prices: State<Prices>, item: String) -> Result<u32, String> {
    ///     prices.by_item.get(item.as_str()).copied().ok_or(format!("no item `{item}`"))
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let prices = Prices { by_item: HashMap::from([("tea", 350)]) };
    /// let mut registry = ToolRegistry::new().with_state(prices);
    /// registry.register(Price)?;
    /// let output = registry.dispatch(&ToolCall::new("call_1", "price", r#"{"item": "tea"}"#)).await;
    /// assert_eq!(output.content, "350");
    /// // The model sees `item` only.
    /// let parameters = registry.definition("price").unwrap().parameters();
    /// assert_eq!(parameters["required"], serde_json::json!(["item"]));
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn with_state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Adds a value you keep a handle on: tools taking `State<T>` receive this very `Arc`,
    /// so changes made through your handle are what they see, and theirs are what you see.
    /// [`with_state`](Self::with_state) with an `Arc<T>` would hold the `Arc` itself, for
    /// tools taking `State<Arc<T>>`.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use tool_runtime::{tool, State, ToolCall, ToolRegistry};
    ///
    /// /// Add a line to the log.
    /// ///
    /// /// # Arguments
    /// /// * `line` - The line.
    /// #[tool]
    /// fn log(lines: State<Mutex<Vec<String>>>, line: String) {
    ///     lines.lock().unwrap().push(line);
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let lines: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    /// let mut registry = ToolRegistry::new().with_shared_state(Arc::clone(&lines));
    /// registry.register(Log)?;
    /// registry.dispatch(&ToolCall::new("1", "log", r#"{"line": "hello"}"#)).await;
    /// assert_eq!(*lines.lock().unwrap(), ["hello"]);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn with_shared_state<T: Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.state.insert_shared(value);
        self
    }

    /// At most `limit` calls of a [`dispatch_all`](Self::dispatch_all) batch run at once.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::time::Duration;
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// static RUNNING: AtomicUsize = AtomicUsize::new(0);
    /// static MOST: AtomicUsize = AtomicUsize::new(0);
    ///
    /// /// Fetch a page.
    /// #[tool]
    /// async fn fetch() {
    ///     let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    ///     MOST.fetch_max(now, Ordering::SeqCst);
    ///     tokio::time::sleep(Duration::from_millis(5)).await;
    ///     RUNNING.fetch_sub(1, Ordering::SeqCst);
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let two = NonZeroUsize::new(2).unwrap();
    /// let mut registry = ToolRegistry::new().with_concurrency(two);
    /// registry.register(Fetch)?;
    /// let calls: Vec<ToolCall> = (0..6).map(|i| ToolCall::new(format!("call_{i}"), "fetch", "")).collect();
    /// let outputs = registry.dispatch_all(&calls).await;
    /// assert_eq!(outputs.len(), 6);
    /// assert_eq!(MOST.load(Ordering::SeqCst), 2);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn with_concurrency(mut self, limit: NonZeroUsize) -> Self {
        self.concurrency = Some(limit);
        self
    }

    /// An async tool's call that takes longer than `limit` is stopped and answered with an
    /// error output. A sync tool (and an `async fn` tool without `.await`, which cannot
    /// wait) runs to completion: it cannot be stopped safely, and an
    /// error after its effects happened would invite the model to do it again; keep slow
    /// work in async tools (with `tokio::task::spawn_blocking` for blocking work).
    /// Timeouts need a Tokio runtime with timers; without one, timed calls fail with an
    /// error output.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// /// Search the archive.
    /// #[tool]
    /// async fn search_archive() -> &'static str {
    ///     tokio::time::sleep(Duration::from_secs(60)).await;
    ///     "found"
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new().with_timeout(Duration::from_millis(50));
    /// registry.register(SearchArchive)?;
    /// let output = registry.dispatch(&ToolCall::new("call_1", "search_archive", "")).await;
    /// assert!(output.is_error);
    /// assert_eq!(output.content, "tool `search_archive` timed out after 50ms");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn with_timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Checks each tool at registration against the rules of `formats` (in declared form;
    /// a [`ToolFormat`] brings its documented [`Limits`](crate::validate::Limits), a
    /// [`Validator`] the limits it was given), and refuses or warns about a tool that
    /// breaks them. The default: every format but [`ToolFormat::GeminiOpenApi`],
    /// refusing. An empty list checks nothing.
    ///
    /// Exporting in a format that is not checked logs its violations as warnings.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use tool_runtime::validate::OnViolation;
    /// use tool_runtime::{tool, RegistryError, ToolFormat, ToolRegistry};
    ///
    /// /// Set labels on the document.
    /// ///
    /// /// # Arguments
    /// /// * `labels` - The labels, by name.
    /// #[tool]
    /// fn set_labels(labels: HashMap<String, String>) {}
    ///
    /// // Gemini's OpenAPI subset cannot declare a map.
    /// let mut legacy = ToolRegistry::new()
    ///     .with_validation([ToolFormat::GeminiOpenApi], OnViolation::Error);
    /// let refused = legacy.register(SetLabels).unwrap_err();
    /// assert!(matches!(refused, RegistryError::InvalidDefinition { format: ToolFormat::GeminiOpenApi, .. }));
    /// assert!(refused.to_string().contains("/parameters/properties/labels"));
    ///
    /// let mut registry = ToolRegistry::new(); // checks the other five formats
    /// registry.register(SetLabels)?;
    /// # Ok::<(), RegistryError>(())
    /// ```
    pub fn with_validation(
        mut self,
        formats: impl IntoIterator<Item = impl Into<Validator>>,
        on_violation: OnViolation,
    ) -> Self {
        self.checks = Checks {
            validators: formats.into_iter().map(Into::into).collect(),
            on_violation,
        };
        self
    }

    /// Adds a tool. Refused, leaving the registry unchanged, when another tool has the same
    /// name, when the tool takes state the registry does not hold, when it is declared
    /// strict and cannot be, or when it breaks the rules of a format the registry checks
    /// ([`with_validation`](Self::with_validation)).
    ///
    /// ```
    /// use tool_runtime::{tool, RegistryError, ToolRegistry};
    ///
    /// /// Ping.
    /// #[tool]
    /// fn ping() -> &'static str { "pong" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Ping)?;
    /// let again = registry.register(Ping);
    /// assert!(matches!(again, Err(RegistryError::DuplicateName { .. })));
    /// # Ok::<(), RegistryError>(())
    /// ```
    pub fn register<T: Tool>(&mut self, tool: T) -> Result<&mut Self, RegistryError> {
        // Only the `Arc` is made here; the rest is not generic, so compiled once, not for
        // every tool registered.
        self.add_one(Arc::new(tool))
    }

    /// Adds every tool of a [`ToolSet`], sharing it: the `#[tool]` methods of a
    /// `#[tools]` impl, registered from one value of its type (or an `Arc` of one, to keep a
    /// handle on it). All or nothing: when one tool is refused (for any reason
    /// [`register`](Self::register) gives), none is added, and the error names that tool.
    ///
    /// ```
    /// use tool_runtime::{tools, RegistryError, ToolRegistry};
    ///
    /// struct Clock;
    ///
    /// #[tools]
    /// impl Clock {
    ///     /// The time, as HH:MM.
    ///     #[tool]
    ///     fn now(&self) -> &'static str {
    ///         "12:00"
    ///     }
    ///
    ///     /// Today's date.
    ///     #[tool(name = "ping")]
    ///     fn today(&self) -> &'static str {
    ///         "2026-11-21"
    ///     }
    /// }
    ///
    /// /// Ping.
    /// #[tool_runtime::tool]
    /// fn ping() -> &'static str { "pong" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Ping)?;
    /// let refused = registry.register_all(Clock).unwrap_err();
    /// assert!(matches!(refused, RegistryError::DuplicateName { ref name, .. } if name == "ping"));
    /// assert!(refused.to_string().contains("Clock::today` cannot be registered"));
    /// assert_eq!(registry.len(), 1); // not `now` either
    /// # Ok::<(), RegistryError>(())
    /// ```
    pub fn register_all<S: ToolSet>(&mut self, set: S) -> Result<&mut Self, RegistryError> {
        let mut batch = ToolBatch::default();
        Arc::new(set).tools(&mut batch);
        self.add(batch.tools)
    }

    /// Adds a tool defined at run time, checked as [`register`](Self::register) checks a
    /// `#[tool]` function (name, duplicates, strictness, the checked formats' rules).
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::tool::RuntimeTool;
    /// use tool_runtime::{ToolDefinition, ToolFormat, ToolRegistry};
    ///
    /// let echo = ToolDefinition::new("echo", "Say it back.", json!({"type": "object", "properties": {"text": {"type": "string"}}}));
    /// let mut registry = ToolRegistry::new();
    /// registry.register_runtime(RuntimeTool::new(echo, |arguments| async move { Ok(arguments["text"].to_string()) })?)?;
    /// assert_eq!(registry.export(ToolFormat::Anthropic)[0]["name"], "echo");
    ///
    /// // The same rules as for `#[tool]` functions.
    /// let odd = ToolDefinition::new("odd", "Odd.", json!({"type": "object", "properties": {}, "required": ["x"]}));
    /// let refused = registry.register_runtime(RuntimeTool::new(odd, |_| async { Ok(String::new()) })?).unwrap_err();
    /// assert!(refused.to_string().contains("`required` names `x`, which is not a property"));
    /// assert_eq!(registry.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "runtime-tools")]
    #[cfg_attr(docsrs, doc(cfg(feature = "runtime-tools")))]
    pub fn register_runtime(
        &mut self,
        tool: crate::tool::RuntimeTool,
    ) -> Result<&mut Self, RegistryError> {
        self.add(vec![Arc::new(tool)])
    }

    /// Puts a run-time tool in the place of the tool of the same name (a `#[tool]`
    /// function or a run-time tool), keeping its position in exports, or adds it when there
    /// is none. The new tool is checked as [`register`](Self::register) checks; refused,
    /// the old one stays.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::tool::RuntimeTool;
    /// use tool_runtime::{ToolCall, ToolDefinition, ToolRegistry};
    ///
    /// let greet = |greeting: &'static str| {
    ///     let definition = ToolDefinition::new("greet", "Greet.", json!({"type": "object"}));
    ///     RuntimeTool::new(definition, move |_| async move { Ok(greeting.to_owned()) })
    /// };
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register_runtime(greet("hello")?)?;
    /// registry.replace(greet("bonjour")?)?;
    /// let output = registry.dispatch(&ToolCall::new("call_1", "greet", "")).await;
    /// assert_eq!(output.content, "bonjour");
    /// assert_eq!(registry.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    #[cfg(feature = "runtime-tools")]
    #[cfg_attr(docsrs, doc(cfg(feature = "runtime-tools")))]
    pub fn replace(&mut self, tool: crate::tool::RuntimeTool) -> Result<&mut Self, RegistryError> {
        let Some(&at) = self.index.get(tool.definition().name()) else {
            return self.add(vec![Arc::new(tool)]);
        };
        let old = self.tools.remove(at);
        self.reindex();
        if let Err(refused) = self.add(vec![Arc::new(tool)]) {
            self.tools.insert(at, old);
            self.reindex();
            return Err(refused);
        }
        if let Some(new) = self.tools.pop() {
            self.tools.insert(at, new);
        }
        self.reindex();
        Ok(self)
    }

    /// Removes the tool called `name` (a `#[tool]` function or a run-time tool); false if
    /// there is none. The next export and dispatch no longer know it.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// /// Ping.
    /// #[tool]
    /// fn ping() -> &'static str { "pong" }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Ping)?;
    /// assert!(registry.remove("ping"));
    /// assert!(!registry.remove("ping"));
    /// let output = registry.dispatch(&ToolCall::new("call_1", "ping", "")).await;
    /// assert_eq!(output.content, "unknown tool `ping`; no tools are available");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn remove(&mut self, name: &str) -> bool {
        let Some(at) = self.index.remove(name) else {
            return false;
        };
        self.tools.remove(at);
        self.reindex();
        true
    }

    /// Rebuilds both ways of finding a tool by name (the hashed index and the compared
    /// names) after the tools moved: a stale one would send a call to another tool.
    fn reindex(&mut self) {
        self.index.clear();
        self.names.clear();
        for (at, tool) in self.tools.iter().enumerate() {
            let name = tool.definition().name();
            self.index.insert(name.to_owned(), at);
            self.names.push(name.into());
        }
    }

    /// The definition of the tool called `name`.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Delete every task.
    /// #[tool(destructive)]
    /// fn delete_all_tasks() {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(DeleteAllTasks)?;
    /// let definition = registry.definition("delete_all_tasks").unwrap();
    /// assert_eq!(definition.description(), "Delete every task.");
    /// assert!(definition.markers().needs_approval());
    /// assert!(registry.definition("delete_task").is_none());
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn definition(&self, name: &str) -> Option<&ToolDefinition> {
        self.position(name).map(|i| self.tools[i].definition())
    }

    /// Where the tool called `name` is in `tools`.
    #[inline]
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        /// Up to this many tools, comparing names beats hashing one.
        const COMPARED: usize = 8;
        if self.names.len() <= COMPARED {
            self.names.iter().position(|known| same_name(known, name))
        } else {
            self.hashed_position(name)
        }
    }

    // Apart, so that the common case above needs no registers for hashing.
    #[inline(never)]
    fn hashed_position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Every tool's definition, in registration order.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Read a file.
    /// #[tool(read_only)]
    /// fn read_file() {}
    ///
    /// /// Write a file.
    /// #[tool]
    /// fn write_file() {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(ReadFile)?.register(WriteFile)?;
    /// let writers: Vec<&str> = registry
    ///     .definitions()
    ///     .filter(|definition| !definition.markers().read_only)
    ///     .map(|definition| definition.name())
    ///     .collect();
    /// assert_eq!(writers, ["write_file"]);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn definitions(&self) -> impl Iterator<Item = &ToolDefinition> {
        self.tools.iter().map(|tool| tool.definition())
    }

    /// Every tool's name, in registration order.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Write a file.
    /// #[tool]
    /// fn write_file() {}
    ///
    /// /// Read a file.
    /// #[tool(name = "cat")]
    /// fn read_file() {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(WriteFile)?.register(ReadFile)?;
    /// assert_eq!(registry.names().collect::<Vec<_>>(), ["write_file", "cat"]);
    /// assert_eq!(registry.len(), 2);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.definitions().map(ToolDefinition::name)
    }

    /// How many tools there are.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Say hello.
    /// #[tool]
    /// fn hello() -> &'static str { "Hello!" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Hello)?;
    /// assert_eq!((registry.len(), registry.is_empty()), (1, false));
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(tool_runtime::ToolRegistry::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolRegistry")
            .field("tools", &self.names().collect::<Vec<_>>())
            .field("state", &self.state)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("checks", &self.checks)
            .finish()
    }
}
