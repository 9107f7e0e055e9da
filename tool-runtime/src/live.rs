//! A registry that changes while runs use it: tools added, replaced and removed at run
//! time (an MCP server's `tools/list_changed`, a plugin loaded), seen by the next model
//! request.
//!
//! # Why snapshots, and why `arc-swap`
//!
//! A [`ToolRegistry`] is a plain value: its accessors hand out `&ToolDefinition`s and its
//! dispatch futures borrow the tool they run, which is what keeps dispatch by name as cheap
//! as a hand-written `match` (one hash lookup, no reference count touched, no lock). A lock
//! or an atomically swapped table *inside* the registry would break both: a borrowed
//! definition or a running call could outlive the table it came from.
//!
//! So the registry stays immutable while shared, and what changes is *which* registry is
//! current: [`LiveRegistry`] holds an `Arc<ToolRegistry>` in an [`arc_swap::ArcSwap`].
//! Readers take a snapshot ([`load`](LiveRegistry::load): one atomic increment, no lock,
//! never blocked by a writer) and use it for as long as they need a consistent set of
//! tools; the assistant loop takes one per model turn, for the request's tool list, the
//! approval check and the dispatch of that turn's calls, so the dispatch hot path itself
//! is untouched. Writers ([`update`](LiveRegistry::update)) copy the registry (a vector of
//! `Arc`s and the name index: O(tools), rare), change the copy and publish it; a mutex
//! orders writers so that none loses another's change, and a change runs exactly once.
//! A `RwLock<ToolRegistry>` would make every reader contend with writers, and holding a
//! read guard across a tool's `.await` would block a refresh for as long as a call runs.

use std::sync::{Arc, Mutex, Weak};

use arc_swap::ArcSwap;

use crate::registry::ToolRegistry;

/// A registry shared by runs that can change between their turns. Cloning it shares it.
///
/// ```
/// use tool_runtime::live::LiveRegistry;
/// use tool_runtime::{tool, ToolRegistry};
///
/// /// Ping.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// let live = LiveRegistry::new(ToolRegistry::new());
/// let before = live.load(); // a snapshot: what a turn that started now sees
/// live.update(|registry| registry.register(Ping).map(|_| ()))?;
/// assert_eq!(live.load().names().collect::<Vec<_>>(), ["ping"]);
/// assert!(before.is_empty());
/// live.update(|registry| registry.remove("ping"));
/// assert!(live.load().is_empty());
/// # Ok::<(), tool_runtime::RegistryError>(())
/// ```
#[derive(Clone)]
pub struct LiveRegistry {
    shared: Arc<Shared>,
}

struct Shared {
    current: ArcSwap<ToolRegistry>,
    // Orders writers: each copies the registry that is current when it holds the lock, so
    // no change is lost and none runs twice (arc-swap's own `rcu` may retry a change).
    writer: Mutex<()>,
}

impl LiveRegistry {
    /// A live registry starting with `registry`.
    pub fn new(registry: ToolRegistry) -> Self {
        Self::from_shared(Arc::new(registry))
    }

    /// A live registry starting with a shared `registry`.
    pub fn from_shared(registry: Arc<ToolRegistry>) -> Self {
        Self {
            shared: Arc::new(Shared {
                current: ArcSwap::new(registry),
                writer: Mutex::new(()),
            }),
        }
    }

    /// The current registry: a snapshot that later changes do not touch.
    pub fn load(&self) -> Arc<ToolRegistry> {
        self.shared.current.load_full()
    }

    /// Changes the registry: `change` gets a copy of the current one, which then becomes
    /// current, and its result is returned. Snapshots taken before keep what they had;
    /// the next [`load`](Self::load) sees the change. A refused registration leaves the
    /// copy as it was, so a failed change changes nothing.
    pub fn update<R>(&self, change: impl FnOnce(&mut ToolRegistry) -> R) -> R {
        // A panic in another writer's `change` poisons the lock but published nothing.
        let _writer = self
            .shared
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut next = ToolRegistry::clone(&self.shared.current.load());
        let result = change(&mut next);
        self.shared.current.store(Arc::new(next));
        result
    }
}

/// A live registry that does not keep it alive: what a tool source that refreshes the
/// registry holds, since the registry's tools hold the source.
#[cfg_attr(not(feature = "mcp-client"), allow(dead_code))]
#[derive(Clone)]
pub(crate) struct WeakLive(Weak<Shared>);

#[cfg_attr(not(feature = "mcp-client"), allow(dead_code))]
impl WeakLive {
    /// The live registry, unless every handle on it is gone.
    pub(crate) fn upgrade(&self) -> Option<LiveRegistry> {
        self.0.upgrade().map(|shared| LiveRegistry { shared })
    }

    /// Whether both are handles on one registry.
    pub(crate) fn same(&self, other: &WeakLive) -> bool {
        Weak::ptr_eq(&self.0, &other.0)
    }

    /// Whether this is a handle on `live`.
    pub(crate) fn is(&self, live: &LiveRegistry) -> bool {
        std::ptr::eq(self.0.as_ptr(), Arc::as_ptr(&live.shared))
    }
}

impl LiveRegistry {
    /// A handle that does not keep the registry alive.
    #[cfg_attr(not(feature = "mcp-client"), allow(dead_code))]
    pub(crate) fn downgrade(&self) -> WeakLive {
        WeakLive(Arc::downgrade(&self.shared))
    }
}

impl From<ToolRegistry> for LiveRegistry {
    fn from(registry: ToolRegistry) -> Self {
        Self::new(registry)
    }
}

impl std::fmt::Debug for LiveRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LiveRegistry").field(&self.load()).finish()
    }
}
