//! Comparing a call's tool name with the registered ones, on every call's path.

/// Whether two tool names are equal, as `==` says, compared the way a `match` on a string
/// compiles: the lengths, then the bytes a word at a time, where `==` would call `memcmp`
/// (about twice the instructions for a name of a few bytes, and it is on every call's path).
/// A registered name has at most 64 bytes, so this is at most eight words.
#[inline]
pub(super) fn same_name(known: &str, name: &str) -> bool {
    let (known, name) = (known.as_bytes(), name.as_bytes());
    if known.len() != name.len() {
        return false;
    }
    if let (Some(known_end), Some(name_end)) = (known.last_chunk::<8>(), name.last_chunk::<8>()) {
        // Whole words from the start, then the last word, which overlaps the words before
        // it when the length is not a multiple of eight.
        let (mut known_rest, mut name_rest) = (known, name);
        while let (Some((a, known_next)), Some((b, name_next))) = (
            known_rest.split_first_chunk::<8>(),
            name_rest.split_first_chunk::<8>(),
        ) {
            if a != b {
                return false;
            }
            (known_rest, name_rest) = (known_next, name_next);
        }
        return known_end == name_end;
    }
    // Two half-words, overlapping, cover 4 to 7 bytes.
    if let (Some(a), Some(b), Some(c), Some(d)) = (
        known.first_chunk::<4>(),
        name.first_chunk::<4>(),
        known.last_chunk::<4>(),
        name.last_chunk::<4>(),
    ) {
        return a == b && c == d;
    }
    // One to three bytes, a rare name: as `==` does.
    known == name
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn same_name_is_string_equality() {
        // Every length around the word boundaries, and a difference at each position.
        for len in 0..=40 {
            let name: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_name(&name, &name.clone()), "{name}");
            assert!(!same_name(&name, &format!("{name}x")), "{name}");
            assert!(!same_name(&format!("{name}x"), &name), "{name}");
            for at in 0..len {
                let mut other = name.clone().into_bytes();
                other[at] = b'_';
                let other = String::from_utf8(other).expect("ASCII");
                assert!(!same_name(&name, &other), "{name} / {other}");
            }
        }
    }
}
