//! What the crate's HTTP servers (the MCP server, the Assistants server) share: an accept
//! loop that bounds connections and the time to send a request's head, and a body reader
//! that bounds a request's size and the time to send it.

pub(crate) mod accept;
pub(crate) mod body;
