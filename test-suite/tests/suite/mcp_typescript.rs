//! The MCP server as a client we did not write sees it: the official TypeScript SDK
//! (`@modelcontextprotocol/sdk`, pinned in `tests/mcp-client/package-lock.json`) runs
//! `tests/mcp-client/client.mjs` against the `mcp_server` example, over stdio (the SDK
//! spawns the server) and over streamable HTTP (the test starts it on a free port).
//!
//! Needs Node.js 18+ and npm: the SDK is installed with `npm ci` when
//! `tests/mcp-client/node_modules` lacks it (a few seconds). Without `node` on the PATH
//! the tests say so on stderr and pass without running.
//!
//! The server is the example's binary, which cargo gives integration tests no path to:
//! the test asks cargo to build it (`cargo build --example mcp_server`, a no-op after
//! `cargo test`, which builds the examples with the same profile and features) and takes
//! the path cargo reports.
//!
//! Every process a test starts is killed when the test ends, passing or failing (a guard's
//! `Drop`; the server the SDK spawns over stdio ends when its stdin closes with the
//! client); `a_server_a_failing_test_started_is_killed` checks the first with a test that
//! panics, `the_stdio_server_ends_when_its_client_goes_away` the second.

use examples::tasks;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tool_runtime::mcp::McpServer;

const CLIENT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp-client");

/// The server refuses requests over this; the script sends one of 100 000 bytes.
const LIMIT: &str = "65536";

/// The longest a run of the script may take (it takes about a second).
const DEADLINE: Duration = Duration::from_secs(60);

/// The server binary, once per test binary; `None` when Node.js is missing.
fn setup() -> Option<&'static Path> {
    static SETUP: OnceLock<Option<PathBuf>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            if Command::new("node").arg("--version").output().is_err() {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED mcp_typescript: `node` is not on the PATH; install Node.js 18+ \
                     (with npm) to test the MCP server with the TypeScript SDK"
                );
                return None;
            }
            install_sdk();
            Some(server_binary())
        })
        .as_deref()
}

/// `npm ci` from the committed lock file, unless the SDK is there.
fn install_sdk() {
    let sdk = Path::new(CLIENT_DIR).join("node_modules/@modelcontextprotocol/sdk/package.json");
    if sdk.exists() {
        return;
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(CLIENT_DIR)
        .output()
        .unwrap_or_else(|e| panic!("node is installed but npm could not run ({e}); install npm"));
    assert!(
        output.status.success(),
        "npm ci in {CLIENT_DIR} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds the MCP server example (same profile as this test) and returns its executable.
pub(crate) fn server_binary() -> PathBuf {
    crate::support::programs::example_binary("mcp_server")
}

/// Kills the process when dropped: a failing test leaves no server behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `node client.mjs ARGS` and returns the JSON it prints.
fn client(args: &[&str]) -> Value {
    let child = Command::new("node")
        .arg("client.mjs")
        .args(args)
        .current_dir(CLIENT_DIR)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut child = Killed(child);
    let mut stdout = child.0.stdout.take().unwrap();
    let mut stderr = child.0.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the client ran over {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap().unwrap(), err.join().unwrap().unwrap());
    assert!(status.success(), "node client.mjs {args:?} failed:\n{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
}

/// The text of a tool result, read as JSON.
fn content(outcome: &Value) -> Value {
    let text = outcome["result"]["content"][0]["text"].as_str().unwrap();
    serde_json::from_str(text).unwrap()
}

/// What both transports must show; `oversized` differs (HTTP says it with a 413).
fn check(report: &Value) {
    assert_eq!(
        report["server"],
        json!({"name": "task-planner", "version": "0.1.0"})
    );

    // The tools as the SDK read them: what the server lists (the registry's MCP export
    // less delete_all_tasks, as tests/mcp_rmcp.rs checks), whole.
    let registry = tasks::registry(tasks::Store::in_memory().unwrap()).unwrap();
    let listed = McpServer::new(registry).tools();
    assert_eq!(listed.len(), 5);
    assert_eq!(report["tools"], Value::Array(listed));

    assert_eq!(report["added"]["result"]["isError"], false);
    let added = content(&report["added"]);
    assert_eq!(
        (&added["id"], &added["name"], &added["priority"]),
        (&json!("t-1"), &json!("Try the TypeScript SDK"), &json!(1))
    );
    assert_eq!(
        report["wrongType"],
        json!({"result": {"isError": true, "content": [{"type": "text",
            "text": "invalid arguments for tool `add_task`: priority: invalid type: string \"high\", expected i64"}]}})
    );
    let unknown = |name: &str| {
        json!({"error": {"code": -32602, "message": format!(
            "MCP error -32602: unknown tool `{name}`; the tools are: \
             add_task, update_task, complete_task, remove_task, get_tasks")}})
    };
    assert_eq!(report["unknown"], unknown("nope"));
    assert_eq!(report["hidden"], unknown("delete_all_tasks"));
    assert_eq!(
        report["notAnObject"],
        json!({"error": {"code": -32602, "message": "MCP error -32602: invalid params of \
            `tools/call`: /arguments: expected an object, found a string"}})
    );
    // Served on after all that: the one task, nothing deleted, nothing oversized added.
    assert_eq!(report["after"]["result"]["isError"], false);
    assert_eq!(content(&report["after"]), json!([added]));
}

const TOO_LARGE: &str = "the request is larger than the server's limit of 65536 bytes";

#[test]
fn typescript_sdk_over_stdio() {
    let Some(server) = setup() else { return };
    let server = server.to_str().unwrap();
    let report = client(&[
        "stdio",
        server,
        "--db",
        ":memory:",
        "--max-request-bytes",
        LIMIT,
    ]);
    check(&report);
    // Refused without being kept, and answered with the request's id: the call fails at once.
    assert_eq!(
        report["oversized"],
        json!({"error": {"code": -32600, "message": format!("MCP error -32600: {TOO_LARGE}")}})
    );
}

#[test]
fn typescript_sdk_over_streamable_http() {
    let Some(server) = setup() else { return };
    let mut server = Killed(
        Command::new(server)
            .args([
                "--http",
                "127.0.0.1:0",
                "--db",
                ":memory:",
                "--max-request-bytes",
                LIMIT,
            ])
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts"),
    );
    let mut stderr = BufReader::new(server.0.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "the server ended");
        if let Some(url) = line.trim().strip_prefix("mcp_server: listening on ") {
            break url.to_owned();
        }
    };
    let report = client(&["http", &url]);
    check(&report);
    // HTTP 413, its body the JSON-RPC error.
    let oversized = &report["oversized"]["error"];
    assert_eq!(oversized["code"], 413);
    let body = oversized["message"].as_str().unwrap();
    let body = body
        .split_once(": {")
        .map(|(_, rest)| format!("{{{rest}"))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": TOO_LARGE,
            "data": {"maxRequestBytes": 65536}}})
    );
}

// ---------------------------------------------------------------------------------------
// The servers these tests start do not outlive a failing test: the test below runs this
// test binary again as a child process, which starts the server over HTTP and panics.

/// Set in the child process of `a_server_a_failing_test_started_is_killed`.
const CHILD: &str = "TOOL_RUNTIME_MCP_CHILD";

/// Run only as the child of the test below: starts the server as the HTTP test does,
/// prints its pid, and panics.
#[test]
#[ignore = "the child process of a_server_a_failing_test_started_is_killed"]
fn child_starts_the_http_server_and_panics() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let Some(server) = setup() else { return };
    let server = Killed(
        Command::new(server)
            .args(["--http", "127.0.0.1:0", "--db", ":memory:"])
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts"),
    );
    println!("CHILD pid={}", server.0.id());
    panic!("the child panics while its server runs");
}

#[test]
fn a_server_a_failing_test_started_is_killed() {
    if setup().is_none() {
        return;
    }
    let output = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            "suite::mcp_typescript::child_starts_the_http_server_and_panics",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("the child panics while its server runs"),
        "the child must panic:\n{stdout}\n{stderr}"
    );
    let pid = stdout
        .lines()
        .find_map(|line| line.strip_prefix("CHILD pid="))
        .unwrap_or_else(|| panic!("the child started a server:\n{stdout}"));
    // `ps` finds no such process (the child waited for it, so it is no zombie either).
    let ps = Command::new("ps")
        .args(["-o", "pid=", "-p", pid])
        .output()
        .expect("ps runs");
    assert_eq!(
        String::from_utf8_lossy(&ps.stdout).trim(),
        "",
        "the server (pid {pid}) outlived the failing test"
    );
}

#[test]
fn the_stdio_server_ends_when_its_client_goes_away() {
    // What the SDK's client spawns over stdio ends with it: when the client dies (killed
    // by its test's guard, say), the server's stdin closes, and the server must exit
    // rather than linger.
    let Some(server) = setup() else { return };
    let mut server = Killed(
        Command::new(server)
            .args(["--db", ":memory:"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts"),
    );
    drop(server.0.stdin.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("the server can be waited for") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server still runs 10 s after its stdin closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
