//! Test doubles: a [`ScriptedModel`] that replies from a script and records what it was
//! asked, for tests of an assistant loop (and offline runs) without a real model.

mod scripted;

pub use scripted::{RecordedRequest, ScriptedModel, ScriptedReply};
