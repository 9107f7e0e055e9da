//! The Anthropic Messages stream decoder (`tool_runtime::anthropic::StreamDecoder`): no panic on any bytes, and the same
//! deltas (or the same error) whole, cut anywhere, and byte by byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tool_runtime_fuzz::streams;

fuzz_target!(|data: &[u8]| streams::check::<tool_runtime::anthropic::StreamDecoder>(data));
