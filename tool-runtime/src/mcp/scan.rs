//! The id of a message too large to keep, read as it streams past.
//!
//! A stdio message over the limit is skipped, not held; the scanner keeps only what it
//! needs to find the top-level `"id"`, wherever it is (rmcp's client writes it first, the
//! TypeScript SDK's last), so the refusal can answer the request it refuses.

use rmcp::model::RequestId;

/// Longer values are not ids anyone uses.
const MAX_ID_BYTES: usize = 128;

/// Watches a JSON text go by, chunk after chunk, for its top-level `"id"` value.
#[derive(Debug, Default)]
pub(super) struct IdScanner {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// At depth 1, the next string is a key.
    expecting_key: bool,
    in_key: bool,
    /// The current top-level key, up to a few bytes (only `id` matters).
    key: Vec<u8>,
    /// Collecting the value of the top-level `id`.
    in_id: bool,
    value: Vec<u8>,
    id: Option<Vec<u8>>,
}

impl IdScanner {
    /// Reads the next bytes of the text.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.step(byte);
        }
    }

    fn step(&mut self, byte: u8) {
        if self.in_id && self.value.len() <= MAX_ID_BYTES {
            self.value.push(byte);
        }
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
                self.in_key = false;
                return;
            }
            if self.in_key && self.key.len() <= 2 {
                self.key.push(byte);
            }
            return;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.expecting_key {
                    self.expecting_key = false;
                    self.in_key = true;
                    self.key.clear();
                }
            }
            b'{' | b'[' => {
                self.depth += 1;
                self.expecting_key = self.depth == 1 && byte == b'{';
            }
            b':' if self.depth == 1 && self.key == b"id" => {
                self.in_id = true;
                self.value.clear();
            }
            b',' | b'}' | b']' => {
                if self.depth == 1 && self.in_id {
                    self.in_id = false;
                    self.value.pop(); // the delimiter
                    self.id = Some(std::mem::take(&mut self.value));
                }
                if byte == b',' {
                    self.expecting_key = self.depth == 1;
                } else {
                    self.depth = self.depth.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    /// The top-level `id`, when the text had one that is a string or an integer.
    pub(super) fn id(&self) -> Option<RequestId> {
        let id = self.id.as_deref()?;
        serde_json::from_slice(id.trim_ascii()).ok()
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::RequestId;
    use serde_json::json;

    use super::IdScanner;

    /// The id `text` yields when fed `chunk` bytes at a time.
    fn id(text: &str, chunk: usize) -> Option<RequestId> {
        let mut scanner = IdScanner::default();
        for bytes in text.as_bytes().chunks(chunk) {
            scanner.feed(bytes);
        }
        scanner.id()
    }

    #[test]
    fn finds_the_top_level_id_wherever_it_is() {
        let big = "x\\\"{[,:id\"".repeat(50);
        let big_text = serde_json::to_string(&big).unwrap();
        for (text, expected) in [
            // rmcp: id first; TypeScript SDK: id last.
            (
                json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                    "params": {"name": "a", "arguments": {"text": big}}})
                .to_string(),
                Some(RequestId::Number(7)),
            ),
            (
                format!(
                    r#"{{"method":"tools/call","params":{{"id":1,"arguments":{{"id":"no","t":{big_text}}}}},"jsonrpc":"2.0","id":"req-9"}}"#
                ),
                Some(RequestId::String("req-9".into())),
            ),
            (
                r#"{ "params" : [ {"id": 3} ], "id" : 42 }"#.to_owned(),
                Some(RequestId::Number(42)),
            ),
            // An escaped quote inside a key does not end it.
            (r#"{"i\"d": 5, "x": 1}"#.to_owned(), None),
            (r#"{"id": {"n": 1}}"#.to_owned(), None),
            (r#"{"id": null}"#.to_owned(), None),
            (r#"[{"id": 1}]"#.to_owned(), None),
            (format!(r#"{{"method": "ping", "params": {big_text}"#), None),
        ] {
            for chunk in [1, 3, 1 << 20] {
                assert_eq!(id(&text, chunk), expected, "{text} in chunks of {chunk}");
            }
        }
    }
}
