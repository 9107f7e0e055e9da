//! The MCP HTTP server's bounds, against clients that hold connections, stall, send too
//! much or give up: each test on loopback with the bound set short, and a few dozen
//! connections at most.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tool_runtime::mcp::{HttpServer, McpServer};
use tool_runtime::ToolRegistry;

/// Rest for a minute.
#[tool_runtime::tool(read_only)]
async fn doze() -> &'static str {
    let _flag = StopFlag;
    tokio::time::sleep(Duration::from_secs(60)).await;
    std::mem::forget(_flag);
    "rested"
}

/// Set when a `doze` call is dropped before it ends.
static DOZE_STOPPED: AtomicBool = AtomicBool::new(false);

struct StopFlag;

impl Drop for StopFlag {
    fn drop(&mut self) {
        DOZE_STOPPED.store(true, Ordering::SeqCst);
    }
}

fn server() -> McpServer {
    let mut registry = ToolRegistry::new();
    registry.register(Doze).unwrap();
    McpServer::new(registry)
}

async fn start(server: McpServer) -> HttpServer {
    server.serve_http(([127, 0, 0, 1], 0).into()).await.unwrap()
}

/// A POST of `body` to the server, as an MCP client sends it.
fn post(
    http: &reqwest::Client,
    server: &HttpServer,
    body: impl Into<reqwest::Body>,
) -> reqwest::RequestBuilder {
    http.post(server.url())
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2025-06-18")
        .body(body)
}

fn list(id: u32) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string()
}

/// Reads from `stream` until the server closes it (or resets it), at most `within`;
/// what was read.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Result<String, String> {
    let mut read = Vec::new();
    let outcome = tokio::time::timeout(within, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&read).into_owned();
    match outcome {
        Ok(()) => Ok(text),
        Err(_) => Err(format!("still open after {within:?}; read: {text:?}")),
    }
}

/// The head of a POST to `/mcp` with these extra header lines.
fn head(server: &HttpServer, extra: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nhost: {}\r\naccept: application/json, text/event-stream\r\n\
         content-type: application/json\r\nmcp-protocol-version: 2025-06-18\r\n{extra}\r\n",
        server.local_addr()
    )
}

#[tokio::test]
async fn silent_connections_are_closed_and_a_capped_server_still_serves() {
    let server = start(
        server()
            .with_max_connections(20)
            .with_header_timeout(Duration::from_millis(500)),
    )
    .await;
    let mut silent = Vec::new();
    for _ in 0..50 {
        silent.push(TcpStream::connect(server.local_addr()).await.unwrap());
    }
    // A well-behaved client is served once silent connections make room.
    let http = reqwest::Client::new();
    let started = Instant::now();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        post(&http, &server, list(1)).send(),
    )
    .await
    .expect("a well-behaved client is served")
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // 50 silent connections, 20 at a time, 0.5 s each: all gone within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(6);
    for stream in &mut silent {
        let left = deadline.saturating_duration_since(Instant::now());
        assert_eq!(read_until_closed(stream, left).await.unwrap(), "");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idle_keep_alive_connection_and_slow_headers_are_closed() {
    let server = start(server().with_header_timeout(Duration::from_millis(500))).await;
    // A request answered, then nothing on the kept-alive connection.
    let mut idle = TcpStream::connect(server.local_addr()).await.unwrap();
    let body = list(1);
    let request = format!(
        "{}{body}",
        head(&server, &format!("content-length: {}\r\n", body.len()))
    );
    idle.write_all(request.as_bytes()).await.unwrap();
    let read = read_until_closed(&mut idle, Duration::from_secs(3))
        .await
        .unwrap();
    assert!(read.starts_with("HTTP/1.1 200"), "{read}");
    assert!(read.contains("\"doze\""), "{read}");
    // A head trickled out a byte every 100 ms never completes in time.
    let mut slow = TcpStream::connect(server.local_addr()).await.unwrap();
    let started = Instant::now();
    let trickle = async {
        for byte in head(&server, "").bytes() {
            if slow.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), trickle).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the slow head was still read after {:?}",
        started.elapsed()
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_a_huge_announced_body_413_and_both_close() {
    let server = start(
        server()
            .with_body_timeout(Duration::from_millis(500))
            .with_max_request_bytes(64 * 1024),
    )
    .await;
    let mut stalled = TcpStream::connect(server.local_addr()).await.unwrap();
    let request = format!("{}{{\"jsonrpc\":", head(&server, "content-length: 100\r\n"));
    stalled.write_all(request.as_bytes()).await.unwrap();
    let read = read_until_closed(&mut stalled, Duration::from_secs(3))
        .await
        .unwrap();
    assert!(read.starts_with("HTTP/1.1 408"), "{read}");

    let mut huge = TcpStream::connect(server.local_addr()).await.unwrap();
    let request = format!(
        "{}0123456789",
        head(&server, "content-length: 1073741824\r\n")
    );
    huge.write_all(request.as_bytes()).await.unwrap();
    let read = read_until_closed(&mut huge, Duration::from_secs(3))
        .await
        .unwrap();
    assert!(read.starts_with("HTTP/1.1 413"), "{read}");
    assert!(read.contains("65536"), "{read}");
    server.shutdown().await.unwrap();
}

/// The 413's JSON-RPC error, from a response's body.
fn too_large_error(body: &str) -> Value {
    let json = body.split_once("\r\n\r\n").map_or(body, |(_, json)| json);
    let reply: Value = serde_json::from_str(json).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    reply["error"].clone()
}

#[tokio::test]
async fn a_client_writing_a_large_body_reads_its_413() {
    let server = start(server().with_max_request_bytes(64 * 1024)).await;
    // reqwest, with a body 128 times the limit.
    let http = reqwest::Client::new();
    let response = post(&http, &server, vec![b' '; 8 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let error = too_large_error(&response.text().await.unwrap());
    assert_eq!(error["data"]["maxRequestBytes"], 64 * 1024, "{error}");
    // The connection is still good for the next request.
    let response = post(&http, &server, list(2)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // By hand: 40 MiB announced, and 16 MiB chunked.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    let size = 40 << 20;
    stream
        .write_all(head(&server, &format!("content-length: {size}\r\n")).as_bytes())
        .await
        .unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..40 {
        stream.write_all(&block).await.unwrap();
    }
    let mut reply = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut reply))
        .await
        .unwrap()
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]).into_owned();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(head(&server, "transfer-encoding: chunked\r\n").as_bytes())
        .await
        .unwrap();
    for _ in 0..16 {
        stream
            .write_all(format!("{:x}\r\n", block.len()).as_bytes())
            .await
            .unwrap();
        stream.write_all(&block).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
    }
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut reply = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut reply))
        .await
        .unwrap()
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]).into_owned();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert_eq!(too_large_error(&reply)["code"], -32600, "{reply}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn notifications_cancelled_stops_a_call_over_http() {
    let server = start(server()).await;
    let http = reqwest::Client::new();
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                      "params": {"name": "doze", "arguments": {}}});
    let in_flight = tokio::spawn(post(&http, &server, call.to_string()).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                        "params": {"requestId": 7, "reason": "the user gave up"}});
    let response = post(&http, &server, cancel.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let answer = tokio::time::timeout(Duration::from_secs(5), in_flight)
        .await
        .expect("the cancelled call is answered at once")
        .unwrap()
        .unwrap();
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(
        (&answer["id"], &answer["error"]["code"]),
        (&json!(7), &json!(-32800)),
        "{answer}"
    );
    let started = Instant::now();
    while !DOZE_STOPPED.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the doze goes on"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.shutdown().await.unwrap();
}

/// A `tools/call` of a tool whose name is 1 MiB long.
fn long_name_call() -> Value {
    json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
           "params": {"name": "x".repeat(1 << 20), "arguments": {}}})
}

/// The error's message is short, and says it was cut.
fn assert_clipped(reply: &Value) {
    let text = reply.to_string();
    assert!(text.len() < 2_000, "{} bytes", text.len());
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("xxx..."),
        "{reply}"
    );
}

#[tokio::test]
async fn errors_quote_client_text_cut_short() {
    let server = start(server()).await;
    let http = reqwest::Client::new();
    let reply: Value = post(&http, &server, long_name_call().to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_clipped(&reply);
    let method = json!({"jsonrpc": "2.0", "id": 4, "method": "y".repeat(1 << 16)});
    let reply: Value = post(&http, &server, method.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(reply.to_string().len() < 2_000, "{reply}");
    server.shutdown().await.unwrap();

    // Over stdio too.
    let (client, server_end) = tokio::io::duplex(1 << 16);
    let (read, write) = tokio::io::split(server_end);
    tokio::spawn(self::server().serve(read, write));
    let (read, mut write) = tokio::io::split(client);
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "limits", "version": "1"}}});
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    for message in [initialize, initialized, long_name_call()] {
        write
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(read));
    let reply = loop {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let reply: Value = serde_json::from_str(&line).unwrap();
        if reply["id"] == 3 {
            break reply;
        }
    };
    assert_clipped(&reply);
}

/// The HTTP server is stateless: `initialize` opens no session, so there is none to hold
/// memory, to cap or to expire (an open connection is what costs, and it is capped).
#[tokio::test]
async fn initialize_over_http_opens_no_session() {
    let server = start(server()).await;
    let http = reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "limits", "version": "1"}}});
    let response = post(&http, &server, initialize.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().get("mcp-session-id").is_none());
    server.shutdown().await.unwrap();
}
