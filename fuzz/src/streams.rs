//! Feeding a stream decoder pieces of a stream, and the properties every decoder keeps:
//! the same deltas (or the same error) however the bytes are cut.

use tool_runtime::chat::{ChatDelta, ModelError};

/// What the three provider decoders have in common.
pub trait Decoder: Default {
    /// Feeds bytes.
    fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError>;
    /// Ends the stream.
    fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError>;
}

macro_rules! decoder {
    ($($ty:ty),*) => {$(
        impl Decoder for $ty {
            fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
                <$ty>::push(self, bytes)
            }
            fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
                <$ty>::finish(self)
            }
        }
    )*};
}

decoder!(
    tool_runtime::openai::StreamDecoder,
    tool_runtime::openai::ResponsesStreamDecoder,
    tool_runtime::anthropic::StreamDecoder
);

/// The deltas of `pieces` fed in order, or the first error.
pub fn decode<D: Decoder>(pieces: &[&[u8]]) -> Result<Vec<ChatDelta>, ModelError> {
    let mut decoder = D::default();
    let mut deltas = Vec::new();
    for piece in pieces {
        deltas.extend(decoder.push(piece)?);
    }
    deltas.extend(decoder.finish()?);
    Ok(deltas)
}

/// The fuzz property of a decoder: no panic, and the same result whole, cut at the
/// input's cut points, and byte by byte.
pub fn check<D: Decoder>(data: &[u8]) {
    let whole = decode::<D>(&[data]);
    let cut = decode::<D>(&crate::cuts::pieces(data));
    assert_eq!(whole, cut, "cut into pieces");
    let bytewise = decode::<D>(&crate::cuts::bytewise(data));
    assert_eq!(whole, bytewise, "fed byte by byte");
}
