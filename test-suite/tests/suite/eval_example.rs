//! The `eval` example as a CI job runs it: the built binary against a scripted
//! OpenAI-compatible HTTP server on 127.0.0.1 (`support/model_server.rs`), its exit code
//! with `--min` met and not met, the report it saves with `--json`, and `--compare`
//! against that report; and the progress bar it draws on a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{json, Value};
use tool_runtime::eval::Report;

use crate::support::model_server::{self, Reply};
use crate::support::programs;

fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| programs::example_binary("eval"))
}

/// A Chat Completions reply of these calls.
fn call_reply(calls: &[(&str, &str)]) -> Reply {
    let calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(at, (name, arguments))| {
            json!({"id": format!("call_{at}"), "type": "function",
                   "function": {"name": name, "arguments": arguments}})
        })
        .collect();
    Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "scripted",
        "choices": [{"index": 0, "finish_reason": "tool_calls",
                     "message": {"role": "assistant", "content": null, "tool_calls": calls}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    }))
}

/// A Chat Completions reply of this text.
fn text_reply(text: &str) -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-2", "object": "chat.completion", "model": "scripted",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 5, "total_tokens": 55}
    }))
}

/// Runs the example with `args` against the server at `base_url`.
async fn eval(base_url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env("OPENAI_BASE_URL", format!("{base_url}/v1"))
        .env("OPENAI_API_KEY", "test-key")
        .env("OPENAI_MODEL", "scripted-model");
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the example's process is waited for")
        .expect("the example runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_eval_example_passes_and_fails_thresholds_saves_its_report_and_compares() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("eval-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let suite = dir.join("suite.json");
    std::fs::write(
        &suite,
        json!({"name": "ci", "cases": [
            {"id": "tokyo", "tags": ["weather"], "user": "Weather in Tokyo?",
             "expect": {"calls": [{"tool": "get_current_weather",
                                   "arguments": {"location": {"regex": "(?i)tokyo"}}}]}},
            {"id": "hello", "tags": ["chat"], "user": "Hello?", "expect": {"no_call": {}}}
        ]})
        .to_string(),
    )
    .expect("the suite is written");
    let (suite, first, second) = (
        suite.to_str().expect("a UTF-8 path").to_owned(),
        dir.join("first.json")
            .to_str()
            .expect("a UTF-8 path")
            .to_owned(),
        dir.join("second.json")
            .to_str()
            .expect("a UTF-8 path")
            .to_owned(),
    );

    // Every case right: both thresholds met, exit 0, the report saved.
    let server = model_server::serve(
        "/v1/chat/completions",
        [
            call_reply(&[("get_current_weather", r#"{"location": "Tokyo"}"#)]),
            text_reply("Hello! How can I help?"),
        ],
    )
    .await;
    let output = eval(
        &server.base_url,
        &[
            &suite,
            "--tools",
            "weather",
            "--concurrency",
            "1",
            "--json",
            &first,
            "--min",
            "correct=1",
            "--min",
            "no_call=1",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("# Eval: ci (scripted-model, plain form)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("| correct | 100.0% (2/2) |"), "{stdout}");
    assert!(
        stdout.contains("| tokens prompt / completion | 150 / 25 |"),
        "{stdout}"
    );
    let saved = Report::from_json(&std::fs::read_to_string(&first).expect("the report is saved"))
        .expect("the saved report loads");
    assert_eq!(
        (saved.summary.correct.hits, saved.summary.correct.total),
        (2, 2)
    );
    // Each case was one request with the weather tools, in the plain form a local
    // endpoint gets by default, at temperature 0; no tool ran (no tool message came back).
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        let names: Vec<&Value> = body["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|tool| &tool["function"]["name"])
            .collect();
        assert_eq!(
            names,
            [&json!("get_current_weather"), &json!("get_nickname")]
        );
        assert_eq!(body["tools"][0]["function"].get("strict"), None);
        assert_eq!(body["temperature"], json!(0.0));
        assert_eq!(body["messages"].as_array().expect("messages").len(), 1);
    }

    // The strict form, a wrong city: below the bound, exit 1, and the comparison with the
    // first report lists the case that changed.
    let server = model_server::serve(
        "/v1/chat/completions",
        [
            call_reply(&[(
                "get_current_weather",
                r#"{"location": "Kyoto", "unit": null}"#,
            )]),
            text_reply("Hello!"),
        ],
    )
    .await;
    let output = eval(
        &server.base_url,
        &[
            &suite,
            "--tools",
            "weather",
            "--form",
            "strict",
            "--concurrency",
            "1",
            "--compare",
            &first,
            "--json",
            &second,
            "--min",
            "correct=0.9",
            "--min",
            "no_call=1",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.ends_with("thresholds not met:\n  correct is 0.500, below the minimum 0.9\n"),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "# Comparison: ci (scripted-model, plain form) -> ci (scripted-model, strict form)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("| correct | 100.0% (2/2) | 50.0% (1/2) | -50.0 pt |"),
        "{stdout}"
    );
    assert!(stdout.contains("## Cases that changed\n\n| case | old | new |\n| --- | --- | --- |\n| tokyo | 1/1 | 0/1 |\n"), "{stdout}");
    assert_eq!(
        server.bodies()[0]["tools"][0]["function"]["strict"],
        json!(true)
    );
    assert!(Path::new(&second).is_file());

    // The second run's replies scored again with the city check loosened: no request,
    // both cases right now, and the thresholds met.
    let loosened = dir.join("loosened.json");
    let edited = std::fs::read_to_string(&suite)
        .expect("the suite")
        .replace("(?i)tokyo", "(?i)tokyo|kyoto");
    std::fs::write(&loosened, edited).expect("the edited suite is written");
    let server = model_server::serve("/v1/chat/completions", []).await;
    let output = eval(
        &server.base_url,
        &[
            loosened.to_str().expect("a UTF-8 path"),
            "--tools",
            "weather",
            "--rescore",
            &second,
            "--form",
            "strict",
            "--min",
            "correct=1",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("| correct | 100.0% (2/2) |"), "{stdout}");
    assert!(server.bodies().is_empty());

    // Mistakes in the command line or the suite are exit 2, before any request.
    let server = model_server::serve("/v1/chat/completions", []).await;
    for (args, says) in [
        (
            vec![suite.as_str(), "--tools", "weather", "--min", "speed=1"],
            "unknown metric `speed`",
        ),
        (
            vec![suite.as_str(), "--tools", "nowhere"],
            "unknown example \"nowhere\"",
        ),
        (
            vec!["missing.json", "--tools", "weather"],
            "could not read the suite missing.json",
        ),
        (
            vec![suite.as_str(), "--tools", "task_planner"],
            "the suite expects tools the registry does not have: get_current_weather",
        ),
        (
            vec![suite.as_str(), "--tools", "weather", "--compare", &suite],
            "is not a saved report",
        ),
        (
            vec![suite.as_str(), "--tools", "weather", "--rescore", &first],
            "--rescore needs --form",
        ),
        (
            vec![suite.as_str(), "--tools", "weather", "--runs", "1001"],
            "--runs needs a whole number from 1 to 1000",
        ),
    ] {
        let output = eval(&server.base_url, &args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert!(server.bodies().is_empty());
}

#[tokio::test]
async fn the_progress_bar_fills_as_runs_finish_and_ends_its_line() {
    use tool_runtime::eval::{Evaluator, Suite};
    use tool_runtime::testing::{ScriptedModel, ScriptedReply};

    let registry = examples::weather::registry();
    let model = ScriptedModel::new([ScriptedReply::text("hi"), ScriptedReply::text("hi")]);
    let suite = Suite::from_json(
        &json!({"name": "bar", "cases": [
            {"id": "a", "user": "a", "expect": {"no_call": {}}},
            {"id": "b", "user": "b", "expect": {"no_call": {}}}
        ]})
        .to_string(),
    )
    .expect("a valid suite");
    let mut drawn = Vec::new();
    Evaluator::new(&model, &registry)
        .with_concurrency(1)
        .run_with_progress(&suite, |progress| {
            examples::eval_cli::draw_progress(progress, &mut drawn)
        })
        .await
        .expect("no tools expected");
    let half = format!("[{}{}]", "#".repeat(15), ".".repeat(15));
    let full = format!("[{}]", "#".repeat(30));
    assert_eq!(
        text(&drawn),
        format!("\r{half} 1/2 runs\r{full} 2/2 runs\n")
    );
}
