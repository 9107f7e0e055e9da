//! Reading a response's body within a size bound: a server decides how much it sends, so
//! the client decides how much it reads.

use super::failure::Failure;
use crate::chat::ModelError;

/// How much of an error body is read: its message is all the client wants (and it is cut
/// to a few hundred characters for the error), so a huge error body is not read whole.
pub(super) const ERROR_BODY_PREFIX: usize = 64 << 10;

/// The whole body of a success, which may be at most `limit` bytes: a larger one (by its
/// `Content-Length` or as it arrives) fails for good, naming the setting that bounds it.
pub(super) async fn whole(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::fatal(ModelError::Protocol(format!(
            "the reply is larger than the limit of {limit} bytes \
             (ClientConfig::with_max_reply_bytes)"
        )))
    };
    let declared = response.content_length().unwrap_or(0);
    if usize::try_from(declared).map_or(true, |declared| declared > limit) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::http)? {
        if chunk.len() > limit.saturating_sub(body.len()) {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The first [`ERROR_BODY_PREFIX`] bytes of an error body (the rest is never read); `None`
/// when the connection failed before any came.
pub(super) async fn prefix(mut response: reqwest::Response) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_PREFIX {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = ERROR_BODY_PREFIX - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(_) if body.is_empty() => return None,
            Err(_) => break,
        }
    }
    Some(body)
}
