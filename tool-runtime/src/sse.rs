//! An incremental parser of server-sent events (`text/event-stream`), fed bytes in pieces
//! of any size: the framing every provider streams its replies in (OpenAI, Anthropic...).
//!
//! It needs no feature: it is plain parsing, for those who bring their own transport. The
//! clients behind the `openai` and `anthropic` features read their streams with it (and
//! `tool_runtime::openai` re-exports it under its older path).

/// One event of a server-sent event stream.
///
/// ```
/// use tool_runtime::sse::SseParser;
///
/// let mut parser = SseParser::new();
/// let events = parser.push(b"event: message_stop\ndata: {\"type\": \"message_stop\"}\n\ndata: [DONE]\n\n");
/// assert_eq!(events[0].event.as_deref(), Some("message_stop"));
/// assert_eq!(events[0].data, r#"{"type": "message_stop"}"#);
/// assert_eq!((events[1].event.as_deref(), events[1].data.as_str()), (None, "[DONE]"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseEvent {
    /// The event's type (its `event:` field), when it has one; Chat Completions streams
    /// send none, Responses and Anthropic streams name every event.
    pub event: Option<String>,
    /// The event's `data:` lines, joined by `\n`.
    pub data: String,
}

/// Parses a server-sent event stream as it arrives, in pieces cut anywhere: inside a line,
/// between the `\r` and `\n` of a CRLF, or inside a multi-byte UTF-8 character.
///
/// It follows the WHATWG event-stream rules: lines end with LF, CRLF or CR; lines starting
/// with `:` are comments; `data:` lines accumulate (joined by `\n`) until a blank line
/// dispatches the event; one space after the colon is dropped; `id:`, `retry:` and unknown
/// fields are ignored; a leading byte-order mark is skipped. Invalid UTF-8 becomes U+FFFD.
/// Whatever bytes it is fed, it never panics.
///
/// One tolerance beyond the standard: [`finish`](SseParser::finish) dispatches an event
/// whose blank line never came (servers that end with `data: [DONE]` and no newline). A
/// truncated event still fails later, where its data is parsed.
///
/// ```
/// use tool_runtime::sse::SseParser;
///
/// let mut parser = SseParser::default();
/// let mut events = parser.push(b": keep-alive\r\ndata: {\"a\":\r\ndata:  1}\r");
/// events.extend(parser.push(b"\n\r\ndata: [DONE]"));
/// events.extend(parser.finish());
/// let data: Vec<&str> = events.iter().map(|event| event.data.as_str()).collect();
/// assert_eq!(data, ["{\"a\":\n 1}", "[DONE]"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SseParser {
    /// The bytes of the line being read.
    line: Vec<u8>,
    /// The last byte fed was a CR, so an LF right after it ends no further line.
    after_cr: bool,
    /// At least one line was read (the byte-order mark can only open the first).
    seen_line: bool,
    /// The event's data so far, each line followed by `\n`.
    data: String,
    /// The event's type, if it has one.
    event: Option<String>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the stream; returns the events they complete.
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        while !bytes.is_empty() {
            if std::mem::take(&mut self.after_cr) && bytes[0] == b'\n' {
                bytes = &bytes[1..];
                continue;
            }
            match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(end) => {
                    self.line.extend_from_slice(&bytes[..end]);
                    self.after_cr = bytes[end] == b'\r';
                    bytes = &bytes[end + 1..];
                    events.extend(self.end_line());
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    bytes = &[];
                }
            }
        }
        events
    }

    /// Ends the stream: the last line, even without its line break, and the last event,
    /// even without its blank line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let mut last = None;
        if !self.line.is_empty() {
            last = self.end_line();
        }
        self.after_cr = false;
        last.or_else(|| self.dispatch())
    }

    /// How many bytes are held for an unfinished line or event (to bound a runaway one).
    ///
    /// ```
    /// use tool_runtime::sse::SseParser;
    ///
    /// const MAX_EVENT: usize = 1 << 20;
    /// let mut parser = SseParser::new();
    /// assert!(parser.push(b"data: {\"delta\": \"Hel").is_empty());
    /// assert_eq!(parser.buffered(), 20);
    /// // A reader of an untrusted stream stops here once `buffered()` passes its bound.
    /// assert!(parser.buffered() <= MAX_EVENT);
    /// assert_eq!(parser.push(b"lo\"}\n\n")[0].data, r#"{"delta": "Hello"}"#);
    /// assert_eq!(parser.buffered(), 0);
    /// ```
    pub fn buffered(&self) -> usize {
        self.line.len() + self.data.len()
    }

    /// Handles the complete line in `self.line`.
    fn end_line(&mut self) -> Option<SseEvent> {
        let bytes = std::mem::take(&mut self.line);
        let mut line = bytes.as_slice();
        if !std::mem::replace(&mut self.seen_line, true) {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            _ => {}
        }
        // Keep the line's allocation for the next one.
        self.line = bytes;
        self.line.clear();
        None
    }

    /// The event read so far, if it has data; the parser is ready for the next one.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let mut data = std::mem::take(&mut self.data);
        if data.is_empty() {
            return None;
        }
        data.pop();
        Some(SseEvent { event, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = SseParser::new();
        let mut events: Vec<SseEvent> = pieces.iter().flat_map(|p| parser.push(p)).collect();
        events.extend(parser.finish());
        events
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn line_endings_comments_and_fields() {
        let events = all(&[
            b"\xEF\xBB\xBFdata: a\r",
            b"\ndata:b\n\n:c\revent: error\rdata\r\r",
        ]);
        assert_eq!(data(&events), ["a\nb", ""]);
        assert_eq!(events[1].event.as_deref(), Some("error"));
        assert_eq!(events[0].event, None);
    }

    #[test]
    fn a_character_cut_in_two_is_whole() {
        let text = "data: é€\n\n".as_bytes();
        assert_eq!(data(&all(&[&text[..7], &text[7..10], &text[10..]])), ["é€"]);
    }

    #[test]
    fn blank_lines_alone_dispatch_nothing() {
        assert!(all(&[b"\n\n\r\n", b"id: 3\nretry: 10\n\n"]).is_empty());
    }
}
