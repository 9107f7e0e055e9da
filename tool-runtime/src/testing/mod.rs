//! Test doubles: a [`ScriptedModel`] that replies from a script and records what it was
//! asked, for tests of an assistant loop (and offline runs) without a real model; and
//! recorded runs: a [`Recorder`] that keeps a real model's exchanges in a [`Recording`]
//! (a file, secrets scrubbed), which a [`Replay`] plays back as a regression test of the
//! loop, checking that the run asks what it asked when it was recorded
//! (docs/recorded-runs.md).

mod scripted;
mod redact;
mod recording;
mod record;
mod replay;

pub use record::Recorder;
pub use recording::{Exchange, Recording, RecordingError};
pub use replay::{Replay, ReplayError};
pub use scripted::{RecordedRequest, ScriptedModel, ScriptedReply};
