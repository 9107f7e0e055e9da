//! "Did you mean": the known option closest to a misspelled one.
//!
//! A small Levenshtein distance rather than a dependency: the option names are a dozen short
//! ASCII words, and a proc-macro crate's dependencies are built by every user.

/// The candidate closest to `unknown`, if it is close enough to be a likely misspelling:
/// the same letters in another case, or at most one edit per three characters (at least
/// one), the threshold rustc uses for its own suggestions. Ties go to the first candidate.
pub(crate) fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = candidates
        .iter()
        .find(|candidate| candidate.eq_ignore_ascii_case(unknown))
    {
        return Some(same);
    }
    let threshold = (unknown.chars().count().max(3) / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (levenshtein(unknown, candidate), *candidate))
        .filter(|(distance, _)| *distance <= threshold)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`?" when a candidate is close.
pub(crate) fn did_you_mean(unknown: &str, candidates: &[&str]) -> Option<String> {
    closest(unknown, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// The number of single-character insertions, deletions and substitutions that turn `a`
/// into `b` (one row of the classic table at a time).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, b_char) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(a_char != *b_char);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("destuctive", "destructive"), 1);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("flaw", "lawn"), 2);
    }

    #[test]
    fn suggests_only_when_close() {
        let options = ["name", "destructive", "read_only", "crate", "default"];
        assert_eq!(closest("destuctive", &options), Some("destructive"));
        assert_eq!(closest("readonly", &options), Some("read_only"));
        assert_eq!(closest("read-only", &options), Some("read_only"));
        assert_eq!(closest("Name", &options), Some("name"));
        assert_eq!(closest("nam", &options), Some("name"));
        assert_eq!(closest("defualt", &options), Some("default"));
        assert_eq!(closest("foo", &options), None);
        // `rename` is two edits from `name`: close enough, and what was meant.
        assert_eq!(closest("rename", &options), Some("name"));
        assert_eq!(closest("rename", &["default"]), None);
        assert_eq!(closest("x", &options), None);
    }
}
