//! Reading a request's body within a size limit and a deadline.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use http_body_util::BodyExt;
use tokio::time::Instant;

/// How much of a body past the limit is read and thrown away so that the client, still
/// writing it, reads the 413 instead of a reset connection: 64 MiB. A body announced
/// larger than the limit and this is refused before it is read, and the connection
/// closed.
pub(crate) const DISCARD_BYTES: usize = 64 * 1024 * 1024;

/// How reading a body ended.
pub(crate) enum BodyEnd {
    Read(Bytes),
    /// Over the limit; `drained` when the rest was read too, so the connection can go on.
    TooLarge {
        drained: bool,
    },
    TimedOut,
    Failed(String),
}

/// Reads `body` until `deadline`: whole up to `limit` bytes, and past it, thrown away up
/// to [`DISCARD_BYTES`] more.
async fn read_body(mut body: Body, limit: usize, deadline: Instant) -> BodyEnd {
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    let give_up = limit.saturating_add(DISCARD_BYTES);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) if seen > limit => return BodyEnd::TooLarge { drained: true },
            Ok(None) => return BodyEnd::Read(Bytes::from(bytes)),
            Ok(Some(Err(_))) | Err(_) if seen > limit => {
                return BodyEnd::TooLarge { drained: false }
            }
            Ok(Some(Err(error))) => return BodyEnd::Failed(error.to_string()),
            Err(_) => return BodyEnd::TimedOut,
        };
        // Trailers carry no data.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen > give_up {
            return BodyEnd::TooLarge { drained: false };
        }
        if seen <= limit {
            bytes.extend_from_slice(&data);
        } else if bytes.capacity() > 0 {
            bytes = Vec::new();
        }
    }
}

/// Reads a request's body until `deadline`, up to `limit` bytes. A body announced larger
/// than the limit and [`DISCARD_BYTES`] together, or announced over the limit by a client
/// waiting for `100 Continue` (which sends nothing more), is refused unread.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    deadline: Instant,
) -> BodyEnd {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let expects_continue = headers
        .get(header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let announced_over = |bound: usize| {
        announced.is_some_and(|length| length > u64::try_from(bound).unwrap_or(u64::MAX))
    };
    if announced_over(limit.saturating_add(DISCARD_BYTES))
        || (expects_continue && announced_over(limit))
    {
        BodyEnd::TooLarge { drained: false }
    } else {
        read_body(body, limit, deadline).await
    }
}

/// `response`, asking the client to close the connection (hyper closes it after sending).
pub(crate) fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
