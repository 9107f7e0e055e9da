//! The API's objects and request bodies: reading what clients send (refusing what the
//! server cannot do, with a 400 that says so) and writing the objects they read.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::{clip, ApiError};
use crate::chat::{Message, ToolChoice};
use crate::definition::{Strictness, ToolDefinition};

/// Seconds since the epoch, as every `*_at` field.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// A fresh id with the reference's prefix: `asst`, `thread`, `msg`, `run`, `step`.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", crate::call::unique_suffix())
}

/// Reads a JSON body into `T`; a body that is not JSON, or a field of the wrong type, is a
/// 400 naming the field.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let mut reader = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::invalid(format!(
                "We could not parse the JSON body of your request: {}",
                clip(&inner.to_string())
            ))
        } else if path == "." {
            ApiError::invalid(format!(
                "Invalid request body: {}",
                clip(&inner.to_string())
            ))
        } else {
            ApiError::param(
                path.clone(),
                format!("Invalid value for '{path}': {}", clip(&inner.to_string())),
            )
        }
    })
}

/// `metadata`: at most 16 keys of at most 64 characters, string values of at most 512.
pub(crate) fn metadata(value: Option<Map<String, Value>>) -> Result<Option<Value>, ApiError> {
    let Some(map) = value else {
        return Ok(None);
    };
    if map.len() > 16 {
        return Err(ApiError::param(
            "metadata",
            "metadata may have at most 16 keys.",
        ));
    }
    for (key, value) in &map {
        if key.chars().count() > 64 {
            return Err(ApiError::param(
                "metadata",
                "metadata keys may have at most 64 characters.",
            ));
        }
        match value {
            Value::String(text) if text.chars().count() <= 512 => {}
            Value::String(_) => {
                return Err(ApiError::param(
                    "metadata",
                    "metadata values may have at most 512 characters.",
                ))
            }
            _ => {
                return Err(ApiError::param(
                    format!("metadata.{key}"),
                    "metadata values must be strings.",
                ))
            }
        }
    }
    Ok(Some(Value::Object(map)))
}

/// The metadata key that names the server's own tools an assistant may use.
pub(crate) const SERVER_TOOLS_KEY: &str = "server_tools";

/// The server tools an assistant's metadata enables: `server_tools` as names separated by
/// commas, or `*` for all of them.
pub(crate) fn server_tool_names(metadata: &Value, all: &[String]) -> Result<Vec<String>, ApiError> {
    let Some(list) = metadata.get(SERVER_TOOLS_KEY).and_then(Value::as_str) else {
        return Ok(Vec::new());
    };
    if list.trim() == "*" {
        return Ok(all.to_vec());
    }
    let mut names = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        if !all.iter().any(|known| known == name) {
            return Err(ApiError::param(
                format!("metadata.{SERVER_TOOLS_KEY}"),
                format!(
                    "The server has no tool '{}'; it has: {}.",
                    clip(name),
                    if all.is_empty() {
                        "none".to_owned()
                    } else {
                        all.join(", ")
                    }
                ),
            ));
        }
        if !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Checks a `tools` list: function tools only (the hosted ones are refused with a 400),
/// each with a name, and parameters that are an object schema.
pub(crate) fn tools(tools: Vec<Value>, param: &str) -> Result<Vec<Value>, ApiError> {
    if tools.len() > 128 {
        return Err(ApiError::param(param, "At most 128 tools are allowed."));
    }
    for (index, tool) in tools.iter().enumerate() {
        let at = format!("{param}[{index}]");
        let kind = tool.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "function" => {}
            "file_search" | "code_interpreter" => {
                return Err(ApiError::param(
                    format!("{at}.type"),
                    format!(
                        "The hosted tool '{kind}' is not available on this server: it runs \
                         function tools only (declared by the client, or the server's own, \
                         enabled by the assistant's metadata key '{SERVER_TOOLS_KEY}')."
                    ),
                ))
            }
            other => {
                return Err(ApiError::param(
                    format!("{at}.type"),
                    format!("Invalid tool type '{}': expected 'function'.", clip(other)),
                ))
            }
        }
        let function = tool
            .get("function")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                ApiError::param(
                    format!("{at}.function"),
                    "A function tool needs a 'function' object.",
                )
            })?;
        let name = function
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let portable = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !portable {
            return Err(ApiError::param(
                format!("{at}.function.name"),
                format!(
                    "Invalid function name '{}': letters, digits, '_' and '-', at most 64.",
                    clip(name)
                ),
            ));
        }
        match function.get("parameters") {
            None | Some(Value::Null) | Some(Value::Object(_)) => {}
            Some(_) => {
                return Err(ApiError::param(
                    format!("{at}.function.parameters"),
                    "The parameters must be a JSON Schema object.",
                ))
            }
        }
    }
    Ok(tools)
}

/// The definition the model is given for a client's function tool.
pub(crate) fn definition_of(tool: &Value) -> ToolDefinition {
    let function = &tool["function"];
    let parameters = match function.get("parameters") {
        Some(Value::Object(schema)) => Value::Object(schema.clone()),
        _ => json!({"type": "object", "properties": {}}),
    };
    let strict = function.get("strict").and_then(Value::as_bool) == Some(true);
    ToolDefinition::new(
        function["name"].as_str().unwrap_or_default(),
        function["description"].as_str().unwrap_or_default(),
        parameters,
    )
    // As the client declared it: strict only when it asked.
    .with_strictness(if strict {
        Strictness::Auto
    } else {
        Strictness::Off
    })
}

/// A message's `content`: text, or a list of text parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Content {
    Text(String),
    Parts(Vec<Value>),
}

/// A message to add: `messages.create`, a thread's initial messages, a run's
/// `additional_messages`.
#[derive(Debug, Deserialize)]
pub(crate) struct NewMessage {
    pub(crate) role: String,
    pub(crate) content: Content,
    #[serde(default)]
    pub(crate) attachments: Option<Vec<Value>>,
    #[serde(default)]
    pub(crate) metadata: Option<Map<String, Value>>,
}

/// A message object from a request, on `thread_id`.
pub(crate) fn message_object(
    message: NewMessage,
    thread_id: &str,
    param: &str,
) -> Result<Value, ApiError> {
    if message.role != "user" && message.role != "assistant" {
        return Err(ApiError::param(
            format!("{param}.role"),
            format!(
                "Invalid role '{}': expected 'user' or 'assistant'.",
                clip(&message.role)
            ),
        ));
    }
    if message
        .attachments
        .as_ref()
        .is_some_and(|list| !list.is_empty())
    {
        return Err(ApiError::param(
            format!("{param}.attachments"),
            "Attachments need file_search or code_interpreter, which this server does not have.",
        ));
    }
    let text = match message.content {
        Content::Text(text) => text,
        Content::Parts(parts) => {
            let mut text = String::new();
            for (index, part) in parts.iter().enumerate() {
                match (part.get("type").and_then(Value::as_str), part.get("text")) {
                    (Some("text"), Some(Value::String(piece))) => {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(piece);
                    }
                    (kind, _) => {
                        return Err(ApiError::param(
                            format!("{param}.content[{index}]"),
                            format!(
                                "Only text content is supported (got '{}').",
                                clip(kind.unwrap_or("no type"))
                            ),
                        ))
                    }
                }
            }
            text
        }
    };
    let metadata = metadata(message.metadata)?.unwrap_or_else(|| json!({}));
    let id = new_id("msg");
    let created_at = now();
    Ok(json!({
        "id": id,
        "object": "thread.message",
        "created_at": created_at,
        "thread_id": thread_id,
        "status": "completed",
        "incomplete_details": null,
        "completed_at": created_at,
        "incomplete_at": null,
        "role": message.role,
        "content": text_content(&text),
        "assistant_id": null,
        "run_id": null,
        "attachments": [],
        "metadata": metadata,
    }))
}

/// A message's content list holding `text`.
pub(crate) fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": {"value": text, "annotations": []}}])
}

/// The text of a stored message.
pub(crate) fn text_of(message: &Value) -> String {
    let mut text = String::new();
    for part in message["content"].as_array().into_iter().flatten() {
        if let Some(value) = part["text"]["value"].as_str() {
            text.push_str(value);
        }
    }
    text
}

/// A stored message as the model reads it; `None` for one that was cut short.
pub(crate) fn chat_message(message: &Value) -> Option<Message> {
    if message["status"] != "completed" {
        return None;
    }
    let text = text_of(message);
    match message["role"].as_str() {
        Some("assistant") => Some(Message::assistant(text)),
        Some("user") => Some(Message::user(text)),
        _ => None,
    }
}

/// A run's `tool_choice`, from the request (`auto`, `none`, `required` or a function).
pub(crate) fn tool_choice(value: Option<Value>) -> Result<ToolChoice, ApiError> {
    let invalid = |message: &str| ApiError::param("tool_choice", message);
    match value {
        None | Some(Value::Null) => Ok(ToolChoice::Auto),
        Some(Value::String(text)) => match text.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            _ => Err(invalid(
                "Invalid tool_choice: expected 'auto', 'none', 'required' or a function.",
            )),
        },
        Some(Value::Object(choice)) => match choice.get("type").and_then(Value::as_str) {
            Some("function") => choice
                .get("function")
                .and_then(|function| function.get("name"))
                .and_then(Value::as_str)
                .map(|name| ToolChoice::Tool(name.to_owned()))
                .ok_or_else(|| invalid("A function tool_choice needs 'function.name'.")),
            Some(kind @ ("file_search" | "code_interpreter")) => Err(invalid(&format!(
                "The hosted tool '{kind}' is not available on this server."
            ))),
            _ => Err(invalid("Invalid tool_choice type: expected 'function'.")),
        },
        Some(_) => Err(invalid(
            "Invalid tool_choice: expected a string or an object.",
        )),
    }
}

/// `tool_choice` as a run object shows it.
pub(crate) fn tool_choice_value(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => json!("auto"),
        ToolChoice::None => json!("none"),
        ToolChoice::Required => json!("required"),
        ToolChoice::Tool(name) => json!({"type": "function", "function": {"name": name}}),
    }
}

/// A list answer: `{"object": "list", "data", "first_id", "last_id", "has_more"}`.
pub(crate) fn list_object(data: Vec<Value>, has_more: bool) -> Value {
    let first = data
        .first()
        .map(|item| item["id"].clone())
        .unwrap_or(Value::Null);
    let last = data
        .last()
        .map(|item| item["id"].clone())
        .unwrap_or(Value::Null);
    json!({"object": "list", "data": data, "first_id": first, "last_id": last, "has_more": has_more})
}

/// A deletion's answer.
pub(crate) fn deleted(id: &str, object: &str) -> Value {
    json!({"id": id, "object": format!("{object}.deleted"), "deleted": true})
}
