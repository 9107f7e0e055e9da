//! The parts of a tool, for code that implements [`Tool`] by hand or names
//! what `#[tool]` generates: the input of a call, the future it returns, the batch a
//! [`ToolSet`] fills, the markers and strictness of a definition, and the
//! registry's state map; with the `runtime-tools` feature, `RuntimeTool`: a tool
//! defined at run time.
//!
//! [`Tool`], [`ToolError`] and [`ToolSet`]
//! themselves are at the crate root.

pub(crate) mod args;
pub(crate) mod contract;
mod dyn_tool;
pub(crate) mod error;
pub(crate) mod fields;
mod future;
pub(crate) mod render;
#[cfg(feature = "runtime-tools")]
mod runtime;
pub(crate) mod set;

pub(crate) use contract::Tool;
pub(crate) use dyn_tool::DynTool;
pub(crate) use error::ToolError;
pub(crate) use set::ToolSet;

pub use crate::context::{StateKey, StateMap};
pub use crate::definition::{Strictness, ToolMarkers};
pub use contract::ToolInput;
pub use future::ToolFuture;
#[cfg(feature = "runtime-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "runtime-tools")))]
pub use runtime::{InvalidSchema, RuntimeTool};
pub use set::ToolBatch;
