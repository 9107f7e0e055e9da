//! The HTTP servers' accept loop: at most a set number of connections open at once, each
//! an HTTP/1 connection (hyper) that gets a bounded time to send each request's head.
//!
//! `axum::serve` has neither bound: a client that opens connections and sends nothing
//! holds them (and a file descriptor each) for ever, until the process runs out and
//! nobody else is served.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// The bounds on connections (see the setters on `McpServer` and `AssistantsServer`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnectionLimits {
    /// What the server's log lines start with: `mcp http`, `assistants`.
    pub(crate) label: &'static str,
    /// How long a connection may take to send a request's head, counted from when it
    /// opened or its previous response was sent (so it is the keep-alive idle timeout too).
    pub(crate) header_timeout: Duration,
    /// The most connections open at once.
    pub(crate) max_connections: usize,
}

/// Accepts connections on `listener` and serves `app` on each until `stop` is cancelled;
/// then lets the connections finish their request and returns when all have closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: CancellationToken,
) -> io::Result<()> {
    // A semaphore's permits are counted in `u32` by `acquire_many`, below.
    let max = limits
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    // Said once each time the cap is reached, not once a connection.
    let mut at_cap = false;
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => {
                at_cap = false;
                permit
            }
            Err(_) => {
                if !at_cap {
                    tracing::warn!(
                        "{}: {max} connections open, the server's cap; new connections wait \
                         until one closes",
                        limits.label
                    );
                    at_cap = true;
                }
                tokio::select! {
                    permit = slots.clone().acquire_owned() => permit.map_err(io::Error::other)?,
                    () = stop.cancelled() => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a little rather than spin, and go on.
                    tracing::warn!("{}: accepting a connection failed: {error}", limits.label);
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                        () = stop.cancelled() => break,
                    }
                }
            },
            () = stop.cancelled() => break,
        };
        tokio::spawn(connection(
            stream,
            peer,
            app.clone(),
            limits,
            stop.clone(),
            permit,
        ));
    }
    drop(listener);
    // Every connection holds a permit until it closes.
    let _all = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Serves one connection; its permit is given back when it closes.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    stop: CancellationToken,
    _permit: OwnedSemaphorePermit,
) {
    let ConnectionLimits {
        label,
        header_timeout,
        ..
    } = limits;
    // Answers are small and whole: send them at once.
    let _ = stream.set_nodelay(true);
    // The handlers read the peer's address (cancellation is scoped to it).
    let service = TowerToHyperService::new(app.layer(Extension(ConnectInfo(peer))));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    match result {
        Ok(()) => {}
        Err(error) if error.is_timeout() => tracing::warn!(
            "{label}: closed the connection from {peer}: no request head within \
             {header_timeout:?}"
        ),
        Err(error) => tracing::debug!("{label}: the connection from {peer} failed: {error}"),
    }
}
