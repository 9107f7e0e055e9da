//! `SseParser`: the same events however the input is cut (anywhere, byte by byte
//! included), and no panic on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tool_runtime::sse::{SseEvent, SseParser};
use tool_runtime_fuzz::cuts;

fn events(pieces: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events: Vec<SseEvent> = pieces.iter().flat_map(|piece| parser.push(piece)).collect();
    events.extend(parser.finish());
    // After `finish` the parser is at the start of a new stream: nothing is left over.
    assert_eq!(parser.buffered(), 0, "finish leaves nothing buffered");
    events
}

fuzz_target!(|data: &[u8]| {
    let whole = events(&[data]);
    assert_eq!(events(&cuts::pieces(data)), whole, "cut into pieces");
    assert_eq!(events(&cuts::bytewise(data)), whole, "fed byte by byte");
});
