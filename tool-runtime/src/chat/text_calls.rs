//! Tool calls a model wrote as text.
//!
//! Small models behind OpenAI-compatible servers sometimes write a call as its JSON in the
//! reply's text (`{"name": "add_task", "arguments": {...}}`, fenced or not) instead of the
//! form the server parses, and the server returns it as text: the user would see JSON and
//! nothing would happen. A reply whose whole text is calls of tools the request offered is
//! read as those calls. Text that is anything else is left as it is.

use std::collections::VecDeque;

use futures_util::stream::{self, BoxStream, StreamExt};
use serde_json::Value;

use crate::call::fresh_call_id;
use crate::call::ToolCall;
use crate::chat::{ChatDelta, ChatResponse, FinishReason, ModelError};

/// The calls `text` consists of, if it is nothing but calls of `tools`: JSON objects with
/// `name` and `arguments`, or non-empty arrays of them, bare or in fenced blocks. The
/// stream reader [`read_text_tool_calls`] gives the same answer for the same text.
pub fn calls_in_text(text: &str, tools: &[String]) -> Option<Vec<ToolCall>> {
    let mut values = Vec::new();
    for block in blocks(text)? {
        for value in serde_json::Deserializer::from_str(block).into_iter::<Value>() {
            match value.ok()? {
                // An empty list calls nothing, and the stream reader has already let a
                // text starting `[]` go as text: not calls, for both readers.
                Value::Array(items) if items.is_empty() => return None,
                Value::Array(items) => values.extend(items),
                other => values.push(other),
            }
        }
    }
    if values.is_empty() {
        return None;
    }
    values
        .into_iter()
        .map(|value| {
            // A call, not an answer that happens to have a `name`: only these keys, and
            // the arguments among them.
            let object = value.as_object()?;
            let call_keys = ["name", "arguments", "parameters", "type", "id"];
            if !object.keys().all(|key| call_keys.contains(&key.as_str()))
                || !(object.contains_key("arguments") || object.contains_key("parameters"))
            {
                return None;
            }
            let name = value.get("name")?.as_str()?;
            if !tools.iter().any(|tool| tool == name) {
                return None;
            }
            let arguments = match value.get("arguments").or_else(|| value.get("parameters")) {
                // No arguments are `{}`, as a streamed call's are (`ResponseBuilder::finish`).
                Some(Value::Null) | None => "{}".to_owned(),
                Some(Value::String(text)) if text.trim().is_empty() => "{}".to_owned(),
                Some(Value::String(text)) => text.clone(),
                Some(object @ Value::Object(_)) => object.to_string(),
                Some(_) => return None,
            };
            Some(ToolCall::new(fresh_call_id(), name, arguments))
        })
        .collect()
}

/// The JSON texts of `text`: its fenced blocks when it has fences (with nothing but
/// white space outside them), or all of it.
fn blocks(text: &str) -> Option<Vec<&str>> {
    if !text.contains("```") {
        return Some(vec![text]);
    }
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        if !rest[..start].trim().is_empty() {
            return None;
        }
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let language = after[..body_start].trim();
        if !(language.is_empty() || language == "json") {
            return None;
        }
        let body = &after[body_start..];
        let end = body.find("```")?;
        blocks.push(&body[..end]);
        rest = &body[end + 3..];
    }
    rest.trim().is_empty().then_some(blocks)
}

impl ChatResponse {
    /// This reply, with text that is nothing but calls of `tools` read as those calls.
    pub fn with_text_tool_calls(mut self, tools: &[String]) -> Self {
        if self.tool_calls.is_empty() {
            if let Some(calls) = self
                .content
                .as_deref()
                .and_then(|text| calls_in_text(text, tools))
            {
                self.content = None;
                self.tool_calls = calls;
                self.finish_reason = FinishReason::ToolCalls;
            }
        }
        self
    }
}

/// `deltas`, with a reply whose text is nothing but calls of `tools` turned into those
/// calls. Text that could be the start of a call (it begins with `{`, `[` or a fence) is
/// held until the reply ends; any other text streams as it comes.
pub fn read_text_tool_calls<'a>(
    deltas: BoxStream<'a, Result<ChatDelta, ModelError>>,
    tools: Vec<String>,
) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
    let state = Reader {
        deltas,
        tools,
        held: Some(String::new()),
        out: VecDeque::new(),
        ended: false,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.out.pop_front() {
                return Some((item, state));
            }
            if state.ended {
                return None;
            }
            match state.deltas.next().await {
                None => {
                    state.ended = true;
                    state.release(None);
                }
                Some(Err(error)) => {
                    state.release(None);
                    state.out.push_back(Err(error));
                }
                Some(Ok(delta)) => state.take(delta),
            }
        }
    })
    .boxed()
}

/// Whether text so far could still turn out to be calls: it starts like a JSON object, an
/// array of objects, or a fence with no language or `json`. Anything else streams at once.
fn may_be_call(text: &str) -> bool {
    let start = text.trim_start();
    if start.is_empty() || start.starts_with('{') {
        return true;
    }
    if let Some(rest) = start.strip_prefix('[') {
        let rest = rest.trim_start();
        return rest.is_empty() || rest.starts_with('{');
    }
    if let Some(rest) = start.strip_prefix("```") {
        return match rest.split_once('\n') {
            Some((language, _)) => matches!(language.trim(), "" | "json"),
            None => "json".starts_with(rest.trim()),
        };
    }
    "```".starts_with(start)
}

struct Reader<'a> {
    deltas: BoxStream<'a, Result<ChatDelta, ModelError>>,
    tools: Vec<String>,
    /// Text held back while it could still be a call; `None` once it cannot.
    held: Option<String>,
    out: VecDeque<Result<ChatDelta, ModelError>>,
    ended: bool,
}

impl Reader<'_> {
    fn take(&mut self, delta: ChatDelta) {
        match delta {
            ChatDelta::Text(text) => match &mut self.held {
                Some(held) => {
                    held.push_str(&text);
                    if !may_be_call(held) {
                        self.release(None);
                    }
                }
                None => self.out.push_back(Ok(ChatDelta::Text(text))),
            },
            ChatDelta::Finish(reason) => self.release(Some(reason)),
            // A real call: the text is text.
            call @ ChatDelta::ToolCall { .. } => {
                self.release(None);
                self.out.push_back(Ok(call));
            }
            other => self.out.push_back(Ok(other)),
        }
    }

    /// Lets the held text go: as calls when the reply ends and it is calls, else as text.
    fn release(&mut self, finish: Option<FinishReason>) {
        let Some(held) = self.held.take() else {
            if let Some(reason) = finish {
                self.out.push_back(Ok(ChatDelta::Finish(reason)));
            }
            return;
        };
        match finish
            .as_ref()
            .and_then(|_| calls_in_text(&held, &self.tools))
        {
            Some(calls) => self.out.extend(
                ChatResponse::tool_calls(calls)
                    .into_deltas()
                    .into_iter()
                    .map(Ok),
            ),
            None => {
                if !held.is_empty() {
                    self.out.push_back(Ok(ChatDelta::Text(held)));
                }
                if let Some(reason) = finish {
                    self.out.push_back(Ok(ChatDelta::Finish(reason)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools() -> Vec<String> {
        vec!["add_task".to_owned(), "get_tasks".to_owned()]
    }

    fn names(calls: Option<Vec<ToolCall>>) -> Option<Vec<(String, String)>> {
        calls.map(|calls| calls.into_iter().map(|c| (c.name, c.arguments)).collect())
    }

    #[test]
    fn only_text_that_could_be_a_call_is_held() {
        for held in [
            "",
            "  ",
            "{",
            "[",
            "[ {",
            "`",
            "``",
            "```",
            "```js",
            "```json\n{",
        ] {
            assert!(may_be_call(held), "{held:?}");
        }
        for streams in [
            "Sure",
            "[1] Buy bread",
            "```rust\nfn main",
            "```python\n",
            "x{",
        ] {
            assert!(!may_be_call(streams), "{streams:?}");
        }
    }

    #[test]
    fn calls_bare_fenced_several_or_none() {
        assert_eq!(
            names(calls_in_text(
                r#" {"name": "add_task", "arguments": {"name": "bread"}} "#,
                &tools()
            )),
            Some(vec![("add_task".into(), r#"{"name":"bread"}"#.into())])
        );
        let fenced = "```json\n{\"name\": \"add_task\", \"arguments\": {\"name\": \"a\"}}\n```\n```json\n{\"name\": \"get_tasks\", \"arguments\": {}}\n```";
        assert_eq!(
            names(calls_in_text(fenced, &tools())),
            Some(vec![
                ("add_task".into(), r#"{"name":"a"}"#.into()),
                ("get_tasks".into(), "{}".into())
            ])
        );
        // Not calls: prose around them, an unknown tool, not JSON, a JSON answer.
        assert_eq!(
            names(calls_in_text(
                r#"Sure: {"name": "add_task", "arguments": {}}"#,
                &tools()
            )),
            None
        );
        assert_eq!(
            names(calls_in_text(
                r#"{"name": "rm_rf", "arguments": {}}"#,
                &tools()
            )),
            None
        );
        assert_eq!(names(calls_in_text("{not json", &tools())), None);
        assert_eq!(names(calls_in_text(r#"{"total": 3}"#, &tools())), None);
        assert_eq!(names(calls_in_text("", &tools())), None);
        // An answer that names a tool is not a call: no arguments, or other keys.
        assert_eq!(
            names(calls_in_text(r#"{"name": "add_task"}"#, &tools())),
            None
        );
        assert_eq!(
            names(calls_in_text(
                r#"{"name": "add_task", "priority": 1, "arguments": {}}"#,
                &tools()
            )),
            None
        );
    }

    async fn read(deltas: Vec<ChatDelta>) -> Vec<ChatDelta> {
        let input = stream::iter(deltas.into_iter().map(Ok)).boxed();
        read_text_tool_calls(input, tools())
            .map(|d| d.expect("no errors"))
            .collect()
            .await
    }

    #[tokio::test]
    async fn a_streamed_text_call_becomes_a_call_and_prose_streams_as_it_comes() {
        let out = read(vec![
            ChatDelta::Text("{\"name\": \"add_task\", ".into()),
            ChatDelta::Text("\"arguments\": {\"name\": \"bread\"}}".into()),
            ChatDelta::Finish(FinishReason::Stop),
        ])
        .await;
        assert!(
            matches!(&out[..], [ChatDelta::ToolCall { index: 0, name: Some(n), arguments, .. }, ChatDelta::Finish(FinishReason::ToolCalls)]
            if n == "add_task" && arguments == r#"{"name":"bread"}"#),
            "{out:?}"
        );

        let prose = vec![
            ChatDelta::Text("Done: ".into()),
            ChatDelta::Text("added.".into()),
            ChatDelta::Finish(FinishReason::Stop),
        ];
        assert_eq!(read(prose.clone()).await, prose);

        let json_answer = vec![
            ChatDelta::Text("{\"total\": 3}".into()),
            ChatDelta::Finish(FinishReason::Stop),
        ];
        assert_eq!(read(json_answer.clone()).await, json_answer);
    }
}
