//! The local model's server as the tests start it: `scripts/local-model.sh start PORT`, and,
//! when that started it (rather than finding it running), a watchdog that stops it once
//! the test process has ended, however it ends: every test passed, one failed or panicked,
//! or the process was interrupted. A server someone else started is left alone.
//!
//! Why a watchdog process and not a `Drop`: the tests of one binary share the server
//! through a `static`, and Rust runs no destructor for statics at exit; the test harness
//! may also end the process while tests still hold it. The watchdog is its own process
//! group, so a Ctrl-C to the tests does not stop it before it has stopped the server.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// The repository's script.
pub(crate) const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/local-model.sh");

/// A server the tests asked for.
#[derive(Debug)]
pub(crate) struct Started {
    /// Its process id.
    pub(crate) pid: u32,
    /// Whether this process started it (and so has it stopped when this process ends).
    pub(crate) ours: bool,
}

/// Starts the server on `port` (setting the model up on first use), or finds it running;
/// panics with the script's output when it fails.
pub(crate) fn start(port: u16) -> Started {
    let output = Command::new("bash")
        .arg(SCRIPT)
        .arg("start")
        .arg(port.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scripts/local-model.sh start {port} failed:\n{said}"
    );
    // The script says "healthy after Ns (pid P)" when it started the server and "already
    // running on 127.0.0.1:PORT (pid P)" when it found it.
    let ours = said.contains("healthy after");
    let pid = said
        .rsplit("(pid ")
        .next()
        .and_then(|rest| rest.split(')').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("the script names the server's pid:\n{said}"));
    if ours {
        stop_when_this_process_ends(port);
    }
    Started { pid, ours }
}

/// Starts a watchdog that runs `scripts/local-model.sh stop PORT` once this process has
/// ended.
// Never waited for: it must outlive this process (it is what ends after it), and it never
// exits before this process does, so it leaves no zombie while we run.
#[allow(clippy::zombie_processes)]
fn stop_when_this_process_ends(port: u16) {
    let watched = std::process::id().to_string();
    Command::new("bash")
        .args([
            "-c",
            r#"while kill -0 "$1" 2>/dev/null; do sleep 0.2; done; exec bash "$2" stop "$3""#,
            "local-model-watchdog",
            &watched,
            SCRIPT,
            &port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("the watchdog starts");
}

/// Stops the server on `port` now (the script's `stop`).
pub(crate) fn stop(port: u16) {
    let status = Command::new("bash")
        .arg(SCRIPT)
        .arg("stop")
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("bash runs");
    assert!(
        status.success(),
        "scripts/local-model.sh stop {port} failed"
    );
}

/// Whether the process `pid` runs: it exists and is not a zombie (a stopped server whose
/// parent is gone may wait as a zombie until init reaps it; `kill -0` would still find it).
pub(crate) fn is_alive(pid: u32) -> bool {
    Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .stderr(Stdio::null())
        .output()
        .map(|output| {
            let state = String::from_utf8_lossy(&output.stdout);
            let state = state.trim();
            !state.is_empty() && !state.starts_with('Z')
        })
        .unwrap_or(false)
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub(crate) fn is_listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}
