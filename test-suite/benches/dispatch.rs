//! What `#[tool]` costs, against doing the same by hand, in one process (ratios, because
//! these machines are noisy):
//!
//! - `dispatch`: `ToolRegistry::dispatch` of a 3-parameter tool, against a hand-written
//!   `serde_json::from_str` + call + `serde_json::to_string` of the same function.
//! - `by_name`: the same from borrowed `&str` id, name and arguments ([`CallRef`]), as a
//!   provider reply or an MCP request is read, against a hand-written `match` on the name
//!   giving `Result<String, String>`, for a small tool (`scale`) and the weather tool
//!   (async): `ToolRegistry::invoke`, which gives the same, and `dispatch`, which also
//!   copies the id into a `ToolOutput`.
//! - `parallel`: `dispatch_all` of 8 calls that each wait 20 ms, against one such call.
//! - the weather tool's exported definition, in bytes, against a hand-written strict one.
//!
//! `cargo bench --bench dispatch` prints the ratios at the end.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde::{Deserialize, Serialize};
use tool_runtime::{tool, CallRef, ToolCall, ToolFormat, ToolRegistry};

use examples::weather;

/// Polls a future once, where it is made, with a no-op waker: a sync tool's dispatch is
/// ready at once, and this adds no executor cost to either side. The future is pinned in
/// place, rather than moved into a function first: a move copies it with wide loads of what
/// was just written field by field, a stall (a failed store-to-load forward) that is the
/// harness's, not the dispatcher's. Only futures pay it (the registry's, and the weather
/// tool's on the hand-written side); an `.await` may move a future into its state too, so
/// this is the registry's best case, which the README says.
macro_rules! ready {
    ($future:expr) => {
        poll_once(std::pin::pin!($future))
    };
}

#[inline(always)]
fn poll_once<F: Future>(future: Pin<&mut F>) -> F::Output {
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a sync tool's dispatch completes on the first poll"),
    }
}

#[derive(Serialize)]
struct Trip {
    city: String,
    days: u8,
    per_day: f64,
}

/// Plan a trip.
///
/// # Arguments
/// * `city` - Where to go.
/// * `days` - How many days.
/// * `budget` - The budget in euros.
#[tool]
fn plan_trip(city: String, days: u8, budget: f64) -> Trip {
    Trip {
        city,
        days,
        per_day: budget / f64::from(days.max(1)),
    }
}

/// The hand-written baseline: what a careful user writes without the macro.
fn by_hand(arguments: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Arguments {
        city: String,
        days: u8,
        budget: f64,
    }
    let arguments: Arguments = serde_json::from_str(arguments).map_err(|e| e.to_string())?;
    let trip = plan_trip(arguments.city, arguments.days, arguments.budget);
    serde_json::to_string(&trip).map_err(|e| e.to_string())
}

/// Scale a point.
///
/// # Arguments
/// * `x` - The x coordinate.
/// * `y` - The y coordinate.
/// * `factor` - The factor.
#[tool]
fn scale(x: f64, y: f64, factor: i32) -> (f64, f64) {
    (x * f64::from(factor), y * f64::from(factor))
}

/// The hand-written dispatcher by name: a `match`, then `from_str` + call + `to_string`.
fn by_name_by_hand(name: &str, arguments: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Scale {
        x: f64,
        y: f64,
        factor: i32,
    }
    #[derive(Deserialize)]
    struct Weather {
        location: String,
        unit: Option<weather::Unit>,
    }
    match name {
        "scale" => {
            let a: Scale = serde_json::from_str(arguments).map_err(|e| e.to_string())?;
            serde_json::to_string(&scale(a.x, a.y, a.factor)).map_err(|e| e.to_string())
        }
        "get_current_weather" => {
            let a: Weather = serde_json::from_str(arguments).map_err(|e| e.to_string())?;
            match ready!(weather::get_current_weather(a.location, a.unit)) {
                Ok(report) => serde_json::to_string(&report).map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            }
        }
        other => Err(format!("unknown tool {other}")),
    }
}

/// Wait 20 ms.
///
/// # Arguments
/// * `n` - A number to return.
#[tool]
async fn wait(n: u32) -> u32 {
    tokio::time::sleep(Duration::from_millis(20)).await;
    n
}

const HAND_WRITTEN_WEATHER: &str = r#"{"type":"function","function":{"name":"get_current_weather","description":"Get the current weather in a given location.","parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA."},"unit":{"type":["string","null"],"enum":["celsius","fahrenheit",null],"description":"The temperature unit to use. Omit it to use the city's usual unit."}},"required":["location","unit"],"additionalProperties":false},"strict":true}}"#;

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut registry = ToolRegistry::new();
    registry
        .register(PlanTrip)
        .expect("one tool")
        .register(Wait)
        .expect("two tools");

    let arguments = r#"{"city": "Lisbon", "days": 4, "budget": 1200.5}"#;
    let call = ToolCall::new("call_1", "plan_trip", arguments);
    assert_eq!(
        ready!(registry.dispatch(&call)).content,
        by_hand(arguments).expect("valid")
    );

    let mut group = criterion.benchmark_group("dispatch");
    group.bench_function("by_hand", |b| b.iter(|| by_hand(black_box(arguments))));
    group.bench_function("registry", |b| {
        b.iter(|| ready!(registry.dispatch(black_box(&call))))
    });
    group.finish();

    let mut named = ToolRegistry::new();
    named
        .register(Scale)
        .expect("scale")
        .register(weather::GetCurrentWeather)
        .expect("weather");
    let scale_arguments = r#"{"x": 1.5, "y": -2.0, "factor": 3}"#;
    let weather_arguments = r#"{"location": "Paris", "unit": "fahrenheit"}"#;
    if let Ok(spec) = std::env::var("DISPATCH_LOOP") {
        // For `valgrind --tool=callgrind`: one side alone, COUNT times (see README).
        let (case, count) = spec.split_once(':').expect("DISPATCH_LOOP=CASE:COUNT");
        let count: u32 = count.parse().expect("a count");
        let (tool, side) = case.split_once('/').expect("TOOL/SIDE");
        if tool == "plan_trip" {
            for _ in 0..count {
                match side {
                    "hand" => drop(black_box(by_hand(black_box(arguments)).ok())),
                    _ => drop(black_box(ready!(registry.dispatch(black_box(&call))))),
                }
            }
            return;
        }
        let (name, arguments) = match tool {
            "scale" => ("scale", scale_arguments),
            _ => ("get_current_weather", weather_arguments),
        };
        for _ in 0..count {
            let call = CallRef::new(black_box("call_1"), black_box(name), black_box(arguments));
            match side {
                "hand" => drop(black_box(by_name_by_hand(call.name, call.arguments).ok())),
                "invoke" => drop(black_box(ready!(named.invoke(call)).ok())),
                _ => drop(black_box(ready!(named.dispatch(call)))),
            }
        }
        return;
    }
    for (name, arguments) in [
        ("scale", scale_arguments),
        ("get_current_weather", weather_arguments),
    ] {
        assert_eq!(
            ready!(named.dispatch(CallRef::new("call_1", name, arguments))).content,
            by_name_by_hand(name, arguments).expect("valid")
        );
    }
    for (name, arguments) in [("scale", "{"), ("get_current_weather", r#"{"unit": "k"}"#)] {
        assert_eq!(
            ready!(named.invoke(CallRef::new("call_1", name, arguments))).is_err(),
            by_name_by_hand(name, arguments).is_err()
        );
    }
    // Each tool twice: `invoke` gives what the hand-written dispatcher gives (the output's
    // text or the error's); `dispatch` also copies the call's id into a `ToolOutput`.
    let by_name: Vec<(&str, f64, f64)> = [
        ("scale", scale_arguments),
        ("get_current_weather", weather_arguments),
    ]
    .into_iter()
    .map(|(name, arguments)| {
        let hand_written = || {
            black_box(by_name_by_hand(black_box(name), black_box(arguments)).ok());
        };
        let invoke = interleaved_ratio(hand_written, || {
            let call = CallRef::new(black_box("call_1"), black_box(name), black_box(arguments));
            black_box(ready!(named.invoke(call)).ok());
        });
        let dispatch = interleaved_ratio(hand_written, || {
            let call = CallRef::new(black_box("call_1"), black_box(name), black_box(arguments));
            black_box(ready!(named.dispatch(call)));
        });
        (name, invoke, dispatch)
    })
    .collect();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let one = [ToolCall::new("1", "wait", r#"{"n": 1}"#)];
    let eight: Vec<ToolCall> = (0..8)
        .map(|n| ToolCall::new(n.to_string(), "wait", format!(r#"{{"n": {n}}}"#)))
        .collect();
    let mut group = criterion.benchmark_group("parallel");
    group.sample_size(10);
    for (name, calls) in [("one_call", &one[..]), ("eight_calls", &eight[..])] {
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let start = Instant::now();
                for _ in 0..iterations {
                    black_box(runtime.block_on(registry.dispatch_all(calls)));
                }
                start.elapsed()
            })
        });
    }
    group.finish();
    criterion.final_summary();

    let mut weather = ToolRegistry::new();
    weather
        .register(weather::GetCurrentWeather)
        .expect("one tool");
    let ours = weather.export(ToolFormat::OpenAiChat)[0].to_string().len();
    let theirs = HAND_WRITTEN_WEATHER.len();

    println!();
    ratio("dispatch / by hand", "dispatch", "registry", "by_hand");
    let interleaved = interleaved_ratio(
        || {
            black_box(by_hand(black_box(arguments)).ok());
        },
        || {
            black_box(ready!(registry.dispatch(black_box(&call))));
        },
    );
    println!("dispatch / by hand, interleaved (median of 1001 rounds): {interleaved:.2}x");
    for (name, invoke, dispatch) in by_name {
        println!(
            "by name from &str, {name} / a hand-written match, interleaved: invoke {invoke:.2}x, dispatch (with the id in a ToolOutput) {dispatch:.2}x"
        );
    }
    ratio(
        "8 parallel calls / 1 call",
        "parallel",
        "eight_calls",
        "one_call",
    );
    println!(
        "weather definition: {ours} bytes / hand-written strict {theirs} bytes = {:.2}x",
        ours as f64 / theirs as f64
    );
}

/// The median, over rounds, of the time of `ours` over the time of `baseline`, each round
/// timing a batch of each back to back: drift in the machine's speed hits both alike.
///
/// Batches are short (about a millisecond) and many: on a machine shared with other work, a
/// batch the scheduler interrupts is an outlier the median leaves out, where a long batch
/// would be interrupted every time.
fn interleaved_ratio(mut baseline: impl FnMut(), mut ours: impl FnMut()) -> f64 {
    const BATCH: u32 = 1_000;
    const ROUNDS: usize = 1_001;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            // Alternate which goes first, so neither always runs on a warmer cache.
            if round % 2 == 0 {
                let theirs = time(&mut baseline);
                time(&mut ours) / theirs
            } else {
                let ours = time(&mut ours);
                ours / time(&mut baseline)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// Prints the ratio of two benchmarks' mean times, read from criterion's estimates.
fn ratio(label: &str, group: &str, ours: &str, baseline: &str) {
    let mean = |bench: &str| -> Option<f64> {
        let target = std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
        let path = format!("{target}/criterion/{group}/{bench}/new/estimates.json");
        let estimates: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        estimates["mean"]["point_estimate"].as_f64()
    };
    match (mean(ours), mean(baseline)) {
        (Some(ours), Some(baseline)) => println!(
            "{label}: {:.2}x ({:.0} ns / {:.0} ns)",
            ours / baseline,
            ours,
            baseline
        ),
        _ => println!("{label}: no estimates (run without a filter)"),
    }
}
