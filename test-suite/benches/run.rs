//! The assistant loop's own cost per turn, with a model that answers at once (a scripted
//! one, in process) and a tool that does next to nothing: what the loop adds to the
//! model's and the tools' time. Target: under 50 microseconds a turn.
//!
//! `cargo bench --bench run`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use tool_runtime::chat::Message;
use tool_runtime::run::{Assistant, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::{tool, ToolRegistry};

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first.
/// * `b` - The second.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut registry = ToolRegistry::new();
    registry.register(Add).expect("one tool");
    let model = std::sync::Arc::new(ScriptedModel::default());
    let assistant = Assistant::from_shared(model.clone(), std::sync::Arc::new(registry));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let thread = Thread::from(vec![Message::user("What is 2 + 3?")]);

    // One run: a turn with a tool call, then a turn with the answer.
    let mut one_run = || {
        model.push(ScriptedReply::tool_calls([("add", r#"{"a": 2, "b": 3}"#)]));
        model.push(ScriptedReply::text("2 + 3 = 5"));
        let run = runtime.block_on(assistant.run(black_box(thread.clone())));
        assert_eq!(run.status(), RunStatus::Completed);
        run
    };
    let mut group = criterion.benchmark_group("run");
    group.bench_function("two_turns", |b| b.iter(&mut one_run));
    group.finish();
    criterion.final_summary();

    // Criterion's estimate, as time per turn.
    let rounds = 2_000;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(one_run());
        }
        best = best.min(start.elapsed());
    }
    let per_turn = best / (rounds * 2);
    println!(
        "\nloop overhead: {:.1} us per turn (best of 5 x {rounds} runs of 2 turns; target < 50 us)",
        per_turn.as_secs_f64() * 1e6
    );
}
