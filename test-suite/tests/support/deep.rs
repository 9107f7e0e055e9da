//! A tool whose parameter nests eleven levels of objects: more than OpenAI's strict mode
//! takes (10), fine without it.

use serde::Deserialize;
use tool_runtime::tool;

macro_rules! level {
    ($name:ident, $inner:ty) => {
        /// A level.
        #[derive(Deserialize, schemars::JsonSchema)]
        pub(crate) struct $name {
            /// The level below.
            pub(crate) inner: $inner,
        }
    };
}
level!(L10, String);
level!(L9, L10);
level!(L8, L9);
level!(L7, L8);
level!(L6, L7);
level!(L5, L6);
level!(L4, L5);
level!(L3, L4);
level!(L2, L3);
level!(L1, L2);

/// Store a deeply nested record.
///
/// # Arguments
/// * `record` - The record.
#[tool]
pub(crate) fn store_deep(record: L1) -> String {
    record
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
}
