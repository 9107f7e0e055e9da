//! A `tools/call` result as the model reads it: structured content as JSON, else the text
//! of the content blocks; `isError` as an error output; cut to a size bound.

use serde_json::Value;

/// The output of a call result (`result` as JSON): `Ok` the text, `Err` the text of a
/// result with `isError: true`. At most `max_bytes` bytes of it are kept.
pub(super) fn read(result: &Value, max_bytes: usize) -> Result<String, String> {
    let text = match result.get("structuredContent") {
        Some(structured) if !structured.is_null() => structured.to_string(),
        _ => content_text(result.get("content")),
    };
    let text = bounded(text, max_bytes);
    if result.get("isError") == Some(&Value::Bool(true)) {
        Err(text)
    } else {
        Ok(text)
    }
}

/// The content blocks, one per line: text as it is, an embedded text resource's text, and
/// a note for what a text model cannot read.
fn content_text(content: Option<&Value>) -> String {
    let blocks = content
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let lines: Vec<String> = blocks
        .iter()
        .map(|block| {
            let field = |name: &str| block.get(name).and_then(Value::as_str);
            match field("type") {
                Some("text") => field("text").unwrap_or_default().to_owned(),
                Some("resource") => match block["resource"].get("text").and_then(Value::as_str) {
                    Some(text) => text.to_owned(),
                    None => format!("[a binary resource, {}]", mime(&block["resource"])),
                },
                Some("resource_link") => format!(
                    "[a link to the resource {}]",
                    field("uri").unwrap_or("(no uri)")
                ),
                Some(kind) => format!("[{kind} content, {}, not shown]", mime(block)),
                None => "[a content block of no type]".to_owned(),
            }
        })
        .collect();
    lines.join("\n")
}

fn mime(block: &Value) -> &str {
    block
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or("of no given type")
}

/// `text` cut to at most `max_bytes`, saying so.
pub(super) fn clip(text: &str, max_bytes: usize) -> String {
    bounded(text.to_owned(), max_bytes)
}

/// `text` cut at a character boundary to at most `max_bytes`, saying so.
fn bounded(mut text: String, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text;
    }
    let total = text.len();
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!(
        "\n[cut: the result was {total} bytes; the limit is {max_bytes}]"
    ));
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::read;

    #[test]
    fn structured_content_wins_then_text_blocks_and_is_error_is_an_error() {
        let both = json!({"content": [{"type": "text", "text": "{\"a\": 1}"}], "structuredContent": {"a": 1}});
        assert_eq!(read(&both, 100), Ok(r#"{"a":1}"#.to_owned()));
        let blocks = json!({"content": [
            {"type": "text", "text": "one"},
            {"type": "image", "data": "AAAA", "mimeType": "image/png"},
            {"type": "resource", "resource": {"uri": "x:1", "text": "two"}},
        ]});
        assert_eq!(
            read(&blocks, 100),
            Ok("one\n[image content, image/png, not shown]\ntwo".to_owned())
        );
        let failed = json!({"content": [{"type": "text", "text": "no"}], "isError": true});
        assert_eq!(read(&failed, 100), Err("no".to_owned()));
        assert_eq!(read(&json!({}), 100), Ok(String::new()));
    }

    #[test]
    fn a_long_result_is_cut_at_a_character_boundary() {
        let long = json!({"content": [{"type": "text", "text": "é".repeat(10)}]});
        assert_eq!(
            read(&long, 5),
            Ok("éé\n[cut: the result was 20 bytes; the limit is 5]".to_owned())
        );
    }
}
