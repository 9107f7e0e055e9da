//! The in-process integration tests of the toolkit, in one binary (one link, one process):
//! each subject is a module of `suite/`; what they share is in `support/`.
//!
//! The tests that must own their process are binaries of their own: `drift.rs` (sets
//! `UPDATE_SNAPSHOTS` in the environment, which the snapshot tests here read),
//! `tracing.rs` (counts the spans and events of a run through tracing's dispatch, which
//! tests on other threads would also reach) and `local_model.rs` (starts the local model).

mod suite;
mod support;
