//! Input cut into pieces at arbitrary points, as a network delivers it: the stream
//! decoders, the SSE parser and the text-call readers must read it alike whole or cut.

use proptest::sample::Index;

/// The points `cuts` choose in `0..=len`, with both ends, in order (repeats kept: a
/// repeated point is an empty piece, which a reader must take too).
fn points(len: usize, cuts: &[Index]) -> Vec<usize> {
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut.index(len + 1)).collect();
    points.push(0);
    points.push(len);
    points.sort_unstable();
    points
}

/// `bytes` cut at `cuts`, anywhere (inside a UTF-8 character too).
pub(crate) fn bytes<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    points(bytes.len(), cuts)
        .windows(2)
        .map(|pair| &bytes[pair[0]..pair[1]])
        .collect()
}

/// `text` cut at `cuts`, on character boundaries.
pub(crate) fn text(text: &str, cuts: &[Index]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    points(chars.len(), cuts)
        .windows(2)
        .map(|pair| chars[pair[0]..pair[1]].iter().collect())
        .collect()
}
