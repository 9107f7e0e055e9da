//! Collecting the violations of one tool, as the envelope and schema checks find them.

use super::Violation;

/// One tool's violations so far.
pub(super) struct Report<'a> {
    pub(super) tool: &'a str,
    pub(super) violations: Vec<Violation>,
}

impl Report<'_> {
    pub(super) fn push(&mut self, pointer: &str, message: impl Into<String>) {
        self.violations.push(Violation {
            tool: self.tool.to_owned(),
            pointer: if pointer.is_empty() { "/" } else { pointer }.to_owned(),
            message: message.into(),
        });
    }
}
