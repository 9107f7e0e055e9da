//! Programs the tests run that are not this test binary: the workspace's examples, built
//! as the test is, and Python packages in a virtual environment under the target folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Builds the workspace's example `name` (in the profile of this test) and returns the
/// executable cargo made.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    let mut build = Command::new(env!("CARGO"));
    build
        .args([
            "build",
            "-p",
            "examples",
            "--example",
            name,
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit());
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let output = build.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build --example {name} failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the example's executable")
}

/// The Python of a virtual environment holding what `pip install ARGS...` installs, made
/// once under the target folder and named by `key` (which must change when `args` or
/// what they name do, e.g. the pinned requirements' text). `None`, with a line on stderr
/// naming `who` and `why`, when `python3` is not on the PATH.
///
/// The environment is built aside and renamed into place: an interrupted install leaves
/// no half environment for the next run to trust.
pub(crate) fn venv(key: &str, args: &[&str], who: &str, why: &str) -> Option<PathBuf> {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED {who}: `python3` is not on the PATH; install Python 3 (with venv) {why}"
        );
        return None;
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("venv-{key}"));
    let python = venv.join("bin/python");
    if !python.exists() {
        let partial = venv.with_extension("partial");
        let _ = std::fs::remove_dir_all(&partial);
        run(Command::new("python3").arg("-m").arg("venv").arg(&partial));
        run(Command::new(partial.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(args));
        std::fs::rename(&partial, &venv).expect("the environment moves into place");
    }
    Some(python)
}

/// Runs `command`, which must succeed.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} could not run: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
