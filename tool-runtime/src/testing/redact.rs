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

    /// Also scrubs `secret` (an empty one is ignored), and its form inside JSON text (a
    /// secret with a `"` or `\\` is written escaped in a call's arguments).
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
            .unwrap_or(secret);
        for form in [secret, escaped] {
            if !self.secrets.iter().any(|known| known == form) {
                self.secrets.push(form.to_owned());
            }
        }
        self.secrets
            .sort_by_key(|known| std::cmp::Reverse(known.len()));
    }

    /// `text` with every secret replaced.
    ///
    /// Text that is a JSON document (a call's arguments, a tool's output) is also scrubbed
    /// as the document it is: a model may write a key with escapes (`\\u0073k-...`, `\\/`)
    /// that no search of the text finds, and the tool would still receive the key. Such a
    /// document is written back (compact) only when a string in it held a secret.
    pub(crate) fn text(&self, text: &str) -> String {
        let mut scrubbed = text.to_owned();
        for secret in &self.secrets {
            if scrubbed.contains(secret.as_str()) {
                scrubbed = scrubbed.replace(secret.as_str(), REDACTED);
            }
        }
        let scrubbed = scrub_bearer(&scrub_keys(&scrubbed));
        match self.document(&scrubbed) {
            Some(document) => document,
            None => scrubbed,
        }
    }

    /// `text` as a JSON object or array with its secrets replaced, when it is one and a
    /// string in it held a secret; `None` otherwise.
    fn document(&self, text: &str) -> Option<String> {
        let trimmed = text.trim_start();
        if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            return None;
        }
        let mut value: Value = serde_json::from_str(text).ok()?;
        let before = value.clone();
        self.value(&mut value);
        (value != before).then(|| value.to_string())
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

/// Replaces the token after `Bearer` and any whitespace (any case), as an `Authorization`
/// header carries it.
fn scrub_bearer(text: &str) -> String {
    const WORD: &str = "bearer";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(WORD) {
        let after_word = from + found + WORD.len();
        let start = text[after_word..]
            .find(|c: char| !c.is_whitespace())
            .map_or(text.len(), |skip| after_word + skip);
        let token = text[start..]
            .find(|c: char| !is_token_char(c))
            .map_or(text.len(), |end| start + end);
        // A token follows only after whitespace: `bearers` is a word.
        if start > after_word && token > start && &text[start..token] != REDACTED {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = token;
        }
        from = token.max(after_word);
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
    fn tokens_after_any_whitespace_go() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.text("Bearer  two\tBEARER\tthree bearer\nfour bearers stay"),
            "Bearer  [redacted]\tBEARER\t[redacted] bearer\n[redacted] bearers stay"
        );
    }

    #[test]
    fn secrets_written_with_json_escapes_go() {
        let mut redactor = Redactor::default();
        redactor.add(r#"pa"ss\word-1"#);
        // As a call's arguments carry it: escaped.
        assert_eq!(
            redactor.text(r#"{"password": "pa\"ss\\word-1"}"#),
            r#"{"password": "[redacted]"}"#
        );
        // Escapes a model may choose: found in the document, which is written back.
        let key = "sk-proj-abcdefghijklmnop1234";
        let escaped = r#"{"key": "\u0073k-proj-abcdefghijklmnop1234", "n": 1}"#;
        assert!(!redactor.text(escaped).contains(&key[3..]));
        assert_eq!(redactor.text(escaped), r#"{"key":"[redacted]","n":1}"#);
        // A document without secrets keeps its text as it was.
        let clean = r#"{ "city": "Paris" }"#;
        assert_eq!(redactor.text(clean), clean);
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
