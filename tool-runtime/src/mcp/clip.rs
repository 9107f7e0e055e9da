//! Client text quoted back in error messages, cut short: an error names what was wrong
//! without echoing a megabyte the client sent (a tool name, a method, a parse error that
//! quotes its input).

use std::borrow::Cow;

/// The most characters of client text an error message quotes.
pub(super) const MAX_ECHO_CHARS: usize = 80;

/// The most characters of an error message that may quote client text (a parse error).
pub(super) const MAX_MESSAGE_CHARS: usize = 400;

/// `text` as an error quotes it: whole if it has at most [`MAX_ECHO_CHARS`] characters,
/// else its first ones and `...`.
pub(super) fn clip(text: &str) -> Cow<'_, str> {
    clip_to(text, MAX_ECHO_CHARS)
}

/// A message that may quote client text (a parse error's), cut to [`MAX_MESSAGE_CHARS`].
pub(super) fn clip_message(text: &str) -> Cow<'_, str> {
    clip_to(text, MAX_MESSAGE_CHARS)
}

fn clip_to(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}...", &text[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, MAX_ECHO_CHARS};

    #[test]
    fn short_text_is_whole_and_long_text_cut_on_a_char_boundary() {
        assert_eq!(clip("get_tasks"), "get_tasks");
        let exact = "a".repeat(MAX_ECHO_CHARS);
        assert_eq!(clip(&exact), exact);
        let long = "é".repeat(1 << 20);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), MAX_ECHO_CHARS + 3);
        assert!(clipped.ends_with("..."));
    }
}
