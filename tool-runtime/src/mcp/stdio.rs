//! MCP's stdio transport: one JSON-RPC message a line, each line at most the server's
//! request limit, unreadable requests answered (see `triage`).

use std::future::Future;
use std::io;
use std::sync::Arc;

use rmcp::model::{ClientJsonRpcMessage, RequestId, ServerJsonRpcMessage};
use rmcp::service::ServerInitializeError;
use rmcp::transport::Transport;
use rmcp::{RoleServer, ServiceExt};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

use super::handler::Handler;
use super::scan::IdScanner;
use super::triage::{too_large, Triage};

/// Serves `handler` on `transport` until the client closes it.
pub(super) async fn serve<R, W>(handler: Handler, transport: LineTransport<R, W>) -> io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let running = match handler.serve(transport).await {
        Ok(running) => running,
        // The client left before `initialize`: nothing to serve.
        Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(error) => return Err(io::Error::other(error)),
    };
    running.waiting().await.map_err(io::Error::other)?;
    Ok(())
}

/// Lines in from `read`, lines out to `write`.
pub(super) struct LineTransport<R, W> {
    read: BufReader<R>,
    /// The line read so far: a read that rmcp cancels (it polls `receive` in a `select!`)
    /// goes on from here.
    line: Vec<u8>,
    /// Skipping the rest of a line longer than `max_bytes`, looking for its id.
    skipping: Option<IdScanner>,
    max_bytes: usize,
    write: Arc<Mutex<W>>,
}

/// The end of one `read_line`.
enum Line {
    /// `line` holds a whole line.
    Read,
    /// The line was longer than the limit; it is gone, but for its id.
    TooLong(Option<RequestId>),
    /// The stream ended (or failed, which ends it as well).
    End,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub(super) fn new(read: R, write: W, max_bytes: usize) -> Self {
        Self {
            read: BufReader::new(read),
            line: Vec::new(),
            skipping: None,
            max_bytes,
            write: Arc::new(Mutex::new(write)),
        }
    }

    /// Reads up to the next newline without holding more than `max_bytes` of it.
    /// Cancel-safe: nothing is consumed from the reader without being kept or skipped.
    async fn read_line(&mut self) -> Line {
        loop {
            let available = match self.read.fill_buf().await {
                Ok([]) => return Line::End,
                Ok(available) => available,
                Err(error) => {
                    tracing::error!("mcp stdio: reading failed: {error}");
                    return Line::End;
                }
            };
            let (taken, ends) = match available.iter().position(|&byte| byte == b'\n') {
                Some(newline) => (newline + 1, true),
                None => (available.len(), false),
            };
            let chunk = &available[..taken];
            match &mut self.skipping {
                Some(scanner) => scanner.feed(chunk),
                None if self.line.len() + taken > self.max_bytes + usize::from(ends) => {
                    let mut scanner = IdScanner::default();
                    scanner.feed(&std::mem::take(&mut self.line));
                    scanner.feed(chunk);
                    self.skipping = Some(scanner);
                }
                None => self.line.extend_from_slice(chunk),
            }
            self.read.consume(taken);
            if ends {
                return match self.skipping.take() {
                    Some(scanner) => Line::TooLong(scanner.id()),
                    None => Line::Read,
                };
            }
        }
    }
}

/// Writes `message` and a newline, then flushes.
async fn write_line<W: AsyncWrite + Unpin>(
    write: Arc<Mutex<W>>,
    message: ServerJsonRpcMessage,
) -> io::Result<()> {
    let mut line = serde_json::to_vec(&message)?;
    line.push(b'\n');
    let mut write = write.lock().await;
    write.write_all(&line).await?;
    write.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = io::Result<()>> + Send + 'static {
        write_line(self.write.clone(), item)
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            let answer = match self.read_line().await {
                Line::End => return None,
                Line::TooLong(id) => {
                    tracing::warn!(
                        "mcp stdio: a message over {} bytes was refused",
                        self.max_bytes
                    );
                    too_large(self.max_bytes, id)
                }
                Line::Read => {
                    let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
                    let triage = (!line.is_empty()).then(|| Triage::of(line));
                    self.line.clear();
                    match triage {
                        Some(Triage::Serve(message)) => return Some(message),
                        Some(Triage::Answer(answer)) => answer,
                        Some(Triage::NotJson(error)) => {
                            tracing::warn!(
                                "mcp stdio: a line that is not JSON was dropped: {error}"
                            );
                            continue;
                        }
                        Some(Triage::Drop) | None => continue,
                    }
                }
            };
            // Written by a task of its own: rmcp may drop this future at any await, and a
            // half-written line would break the stream.
            tokio::spawn(write_line(self.write.clone(), answer));
        }
    }

    async fn close(&mut self) -> io::Result<()> {
        self.write.lock().await.flush().await
    }
}
