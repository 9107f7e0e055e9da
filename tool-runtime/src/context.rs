//! Values a tool receives that the model never sees: registry state and the call's context.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A parameter filled from the registry's state, not from the model's arguments: a database
/// handle, a client, the current user. It does not appear in the schema.
///
/// The registry holds one value per type, added with
/// [`ToolRegistry::with_state`](crate::ToolRegistry::with_state); registering a tool whose state
/// is missing is an error. `State<T>` derefs to `T`.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use tool_runtime::{tool, State, ToolCall, ToolRegistry};
///
/// /// Count a visit and return the total.
/// #[tool]
/// fn visit(counter: State<AtomicU32>) -> u32 {
///     counter.fetch_add(1, Ordering::SeqCst) + 1
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new().with_state(AtomicU32::new(0));
/// registry.register(Visit)?;
/// assert_eq!(registry.definition("visit").unwrap().parameters()["properties"], serde_json::json!({}));
/// let output = registry.dispatch(&ToolCall::new("1", "visit", "")).await;
/// assert_eq!(output.content, "1");
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
pub struct State<T>(pub Arc<T>);

impl<T> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&&*self.0).finish()
    }
}

/// A parameter that gives the tool the context of its call (the call id), not shown to the
/// model.
///
/// ```
/// use tool_runtime::{tool, CallContext, ToolCall, ToolRegistry};
///
/// /// Echo the id of this call.
/// #[tool]
/// fn whoami(call: CallContext) -> String {
///     call.id().to_owned()
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Whoami)?;
/// assert_eq!(registry.definition("whoami").unwrap().parameters()["properties"], serde_json::json!({}));
/// let output = registry.dispatch(&ToolCall::new("call_42", "whoami", "")).await;
/// assert_eq!(output.content, "call_42");
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct CallContext {
    id: String,
}

impl CallContext {
    pub(crate) fn new(id: &str) -> Self {
        Self { id: id.to_owned() }
    }

    /// The provider's id of this tool call.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The registry's state: one value per type. A tool reads it from its
/// [`ToolInput`](crate::tool::ToolInput); an empty one lets a test call a tool directly.
///
/// ```
/// use std::sync::atomic::AtomicU32;
/// use tool_runtime::tool::{StateMap, ToolInput};
/// use tool_runtime::{tool, State, Tool, ToolError};
///
/// /// Count a visit.
/// #[tool]
/// fn visit(visits: State<AtomicU32>) -> u32 { 1 }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let empty = StateMap::default();
/// assert!(empty.get::<AtomicU32>().is_none());
/// let result = Visit.call(ToolInput::new("", "call_1", &empty)).await;
/// assert!(matches!(result, Err(ToolError::MissingState(name)) if name.ends_with("AtomicU32")));
/// # });
/// ```
#[derive(Clone, Default)]
pub struct StateMap {
    values: HashMap<TypeId, Held>,
}

/// One value of the map, with its type's name for messages.
#[derive(Clone)]
struct Held {
    value: Arc<dyn Any + Send + Sync>,
    name: &'static str,
}

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.insert_shared(Arc::new(value));
    }

    /// Holds `value` itself, shared with whoever else has the `Arc`: a `State<T>` is
    /// then that `Arc`.
    pub(crate) fn insert_shared<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        let held = Held {
            value,
            name: std::any::type_name::<T>(),
        };
        self.values.insert(TypeId::of::<T>(), held);
    }

    /// The value of type `T`, if there is one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<State<T>> {
        let value = Arc::clone(&self.values.get(&TypeId::of::<T>())?.value);
        value.downcast::<T>().ok().map(State)
    }

    pub(crate) fn contains(&self, key: &StateKey) -> bool {
        self.values.contains_key(&key.id)
    }

    /// The names of the types held.
    pub(crate) fn type_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.values().map(|held| held.name)
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateMap")
            .field("len", &self.values.len())
            .finish()
    }
}

/// A state type a tool needs, checked when the tool is registered.
///
/// ```
/// use std::sync::atomic::AtomicU32;
/// use tool_runtime::tool::StateKey;
/// use tool_runtime::{tool, State, Tool};
///
/// /// Count a visit.
/// #[tool]
/// fn visit(visits: State<AtomicU32>) -> u32 { 1 }
///
/// assert_eq!(Visit.required_state(), [StateKey::of::<AtomicU32>()]);
/// assert_eq!(StateKey::of::<AtomicU32>().type_name(), "core::sync::atomic::AtomicU32");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateKey {
    id: TypeId,
    name: &'static str,
}

impl StateKey {
    /// The key of type `T`.
    pub fn of<T: 'static>() -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
        }
    }

    /// The type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        self.name
    }
}
