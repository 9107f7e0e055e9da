//! What the crate's HTTP servers (the MCP server, the Assistants server) share: an accept
//! loop that bounds connections and the time to send a request's head, and a body reader
//! that bounds a request's size and the time to send it.

pub(crate) mod accept;
pub(crate) mod body;

use std::time::Duration;

// The bounds both servers start from, in one place so that they cannot drift apart; each
// server documents them on its setters (and the MCP server exports them as constants).

/// The largest request body read: 4 MiB, as rmcp's HTTP transport.
pub(crate) const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// How long a connection may take to send a request's head (the keep-alive idle timeout).
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive once its head has.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The most connections open at once: well under the usual 1,024 file descriptors.
pub(crate) const MAX_CONNECTIONS: usize = 256;
