//! What a recording must not keep: API keys and bearer tokens, replaced with `[redacted]`
//! in every text before anything is written.

use serde_json::Value;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// The environment variables whose values are scrubbed by default.
pub(crate) const SECRET_VARIABLES: [&str; 2] = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"];

/// Values of [`SECRET_VARIABLES`] shorter than this are not scrubbed: no provider's key is
/// that short, and a placeholder such as the local model's `OPENAI_API_KEY=local` would
/// otherwise blank out every "local" in a conversation.
const MIN_ENV_SECRET: usize = 8;

/// A key shaped like OpenAI's and Anthropic's (`sk-...`, `sk-proj-...`, `sk-ant-...`)
/// has at least this many characters after `sk-`; fewer is a word, not a key.
const MIN_KEY_TAIL: usize = 16;

/// The secrets to scrub: literal values, plus anything shaped like a key or a bearer token.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    /// Literal secrets, longest first (so a secret that contains another goes whole).
    secrets: Vec<String>,
}

impl Redactor {
    /// The default: the values of `OPENAI_API_KEY` and `ANTHROPIC_API_KEY` when set (and at
    /// least 8 characters long), and the shapes.
    pub(crate) fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with `lookup` for the environment (for tests).
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut redactor = Self::default();
        for name in SECRET_VARIABLES {
            if let Some(value) = lookup(name) {
                let value = value.trim();
                if value.chars().count() >= MIN_ENV_SECRET {
                    redactor.add(value);
                }
            }
        }
        redactor
    }

    /// Also scrubs `secret` (an empty one is ignored).
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.is_empty() || self.secrets.iter().any(|known| known == secret) {
            return;
        }
        self.secrets.push(secret.to_owned());
        self.secrets
            .sort_by_key(|known| std::cmp::Reverse(known.len()));
    }

    /// `text` with every secret replaced.
    pub(crate) fn text(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        scrub_bearer(&scrub_keys(&text))
    }

    /// Every string of `value` (object keys too) with its secrets replaced.
    pub(crate) fn value(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.value(&mut item);
                    map.insert(self.text(&key), item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// Characters a key or token is made of.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Replaces `sk-` followed by at least [`MIN_KEY_TAIL`] key characters, at the start of a
/// word (so `task-...` is not a key).
fn scrub_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sk-") {
        let before = rest[..at].chars().next_back();
        let starts_word =
            before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        let tail = &rest[at + 3..];
        let length = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        if starts_word && length >= MIN_KEY_TAIL {
            out.push_str(&rest[..at]);
            out.push_str(REDACTED);
            rest = &tail[length..];
        } else {
            out.push_str(&rest[..at + 3]);
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Replaces the token after `Bearer ` (any case), as an `Authorization` header carries it.
fn scrub_bearer(text: &str) -> String {
    const WORD: &str = "bearer ";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(WORD) {
        let start = from + found + WORD.len();
        let token = text[start..]
            .find(|c: char| !is_token_char(c))
            .map_or(text.len(), |end| start + end);
        if token > start && &text[start..token] != REDACTED {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = token;
        }
        from = token.max(start);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_tokens_and_given_secrets_go() {
        let mut redactor = Redactor::default();
        redactor.add("hunter2-secret");
        assert_eq!(
            redactor.text("my key is sk-proj-abcdefghijklmnop1234, ok?"),
            "my key is [redacted], ok?"
        );
        assert_eq!(
            redactor.text("Authorization: Bearer abc.def-ghi and bearer xyz"),
            "Authorization: Bearer [redacted] and bearer [redacted]"
        );
        assert_eq!(redactor.text("pw=hunter2-secret;"), "pw=[redacted];");
        assert_eq!(
            redactor.text("sk-ant-api03-AAAAAAAAAAAAAAAAAAAA"),
            "[redacted]"
        );
    }

    #[test]
    fn words_that_look_alike_stay() {
        let redactor = Redactor::default();
        for text in [
            "a task-list-item-abcdefghijklmnop stays",
            "sk-short",
            "risk-free",
            "Bearer",
            "no bearer: here",
        ] {
            assert_eq!(redactor.text(text), text);
        }
        // "the bearer of bad news": `of` is taken for a token, the price of scrubbing any
        // `bearer <token>`.
        assert_eq!(
            redactor.text("the bearer of bad news"),
            "the bearer [redacted] bad news"
        );
    }

    #[test]
    fn the_environment_gives_long_values_only() {
        let redactor = Redactor::from_lookup(|name| match name {
            "OPENAI_API_KEY" => Some("local".into()),
            "ANTHROPIC_API_KEY" => Some("anthropic-test-key-1".into()),
            _ => None,
        });
        assert_eq!(
            redactor.text("local model, key anthropic-test-key-1"),
            "local model, key [redacted]"
        );
    }

    #[test]
    fn every_string_of_a_document() {
        let mut redactor = Redactor::default();
        redactor.add("s3cr3t-value");
        let mut value = json!({"a": ["x s3cr3t-value", {"s3cr3t-value": 1}], "n": 2});
        redactor.value(&mut value);
        assert_eq!(
            value,
            json!({"a": ["x [redacted]", {"[redacted]": 1}], "n": 2})
        );
    }
}
