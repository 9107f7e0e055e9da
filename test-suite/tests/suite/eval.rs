//! The evaluation module (`tool_runtime::eval`): suites, the runner, reports, comparisons
//! and thresholds, against scripted models and the weather bot's registry. Time is
//! tokio's paused clock, so latencies and timeouts are exact and instant.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use tool_runtime::chat::{
    BoxFuture, ChatModel, ChatRequest, ChatResponse, Message, ModelError, Usage,
};
use tool_runtime::eval::{
    Comparison, Evaluator, Metric, Progress, Report, Suite, SuiteError, Threshold,
};
use tool_runtime::format::SchemaForm;
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::ToolCall;

use examples::weather;

/// A scripted model that answers by the thread's last user message, after a delay of its
/// own per message: the order in which concurrent requests arrive does not change what
/// each gets. It counts the requests in flight, and the most there were at once.
#[derive(Default)]
struct ScriptedByMessage {
    replies: HashMap<String, (Duration, Result<ChatResponse, ModelError>)>,
    in_flight: AtomicUsize,
    most: AtomicUsize,
    requests: AtomicUsize,
}

impl ScriptedByMessage {
    fn reply(mut self, user: &str, delay_ms: u64, reply: ChatResponse) -> Self {
        self.replies.insert(
            user.to_owned(),
            (Duration::from_millis(delay_ms), Ok(reply)),
        );
        self
    }

    fn fail(mut self, user: &str, delay_ms: u64, error: ModelError) -> Self {
        self.replies.insert(
            user.to_owned(),
            (Duration::from_millis(delay_ms), Err(error)),
        );
        self
    }
}

impl ChatModel for ScriptedByMessage {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let last = request
            .messages
            .iter()
            .rev()
            .find_map(|message| match message {
                Message::User { content } => Some(content.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let tools = request.tools.len();
        Box::pin(async move {
            assert_eq!(tools, 2, "every request offers the registry's tools");
            self.requests.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            let (delay, reply) = self.replies.get(&last).cloned().unwrap_or((
                Duration::ZERO,
                Err(ModelError::Other(format!("no reply scripted for {last:?}"))),
            ));
            tokio::time::sleep(delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            reply
        })
    }
}

/// A reply of these calls, with ids `call_1`, `call_2`...
fn calls(calls: &[(&str, &str)]) -> ChatResponse {
    ChatResponse::tool_calls(
        calls
            .iter()
            .enumerate()
            .map(|(at, (name, arguments))| {
                ToolCall::new(format!("call_{}", at + 1), *name, *arguments)
            })
            .collect(),
    )
}

fn suite(cases: Value) -> Suite {
    Suite::from_json(&json!({"name": "test", "cases": cases}).to_string()).expect("a valid suite")
}

/// A case of one expected `get_current_weather` call with these argument checks.
fn weather_case(id: &str, user: &str, arguments: Value) -> Value {
    json!({"id": id, "user": user,
           "expect": {"calls": [{"tool": "get_current_weather", "arguments": arguments}]}})
}

/// What each case's single run came to: (id, correct, problems).
fn outcomes(report: &Report) -> Vec<(String, bool, Vec<String>)> {
    report
        .cases
        .iter()
        .map(|case| {
            let trial = &case.trials[0];
            (case.id.clone(), trial.correct, trial.problems.clone())
        })
        .collect()
}

fn owned(outcomes: &[(&str, bool, &[&str])]) -> Vec<(String, bool, Vec<String>)> {
    outcomes
        .iter()
        .map(|(id, correct, problems)| {
            (
                (*id).to_owned(),
                *correct,
                problems.iter().map(|p| (*p).to_owned()).collect(),
            )
        })
        .collect()
}

/// Tools whose parameters take what the check tests send (`days`, `nested`), so that
/// the checks alone decide: every call fits the schema.
mod check_tools {
    use serde_json::Value;
    use tool_runtime::tool;

    /// Get the weather.
    ///
    /// # Arguments
    /// * `location` - The city.
    /// * `unit` - The unit.
    /// * `days` - How many days, in any form.
    /// * `nested` - Anything.
    #[tool]
    fn get_current_weather(
        location: String,
        unit: Option<String>,
        days: Option<Value>,
        nested: Option<Value>,
    ) -> String {
        format!("{location} {unit:?} {days:?} {nested:?}")
    }

    /// Get a city's nickname.
    ///
    /// # Arguments
    /// * `location` - The city.
    #[tool]
    fn get_nickname(location: String) -> String {
        location
    }

    pub(crate) fn registry() -> tool_runtime::ToolRegistry {
        let mut registry = tool_runtime::ToolRegistry::new();
        registry
            .register(GetCurrentWeather)
            .and_then(|registry| registry.register(GetNickname))
            .expect("the tools register");
        registry
    }
}

#[tokio::test(start_paused = true)]
async fn each_argument_check_passes_a_right_value_and_fails_a_wrong_one_saying_why() {
    let registry = check_tools::registry();
    let checks = [
        (
            "equals",
            json!({"location": {"equals": "Paris"}}),
            r#"{"location": "Paris"}"#,
            r#"{"location": "paris"}"#,
        ),
        (
            "absent",
            json!({"unit": {"absent_or_one_of": []}}),
            r#"{"location": "Paris", "unit": null}"#,
            r#"{"location": "Paris", "unit": "celsius"}"#,
        ),
        (
            "absent-or-one-of",
            json!({"unit": {"absent_or_one_of": ["celsius"]}}),
            r#"{"location": "Paris", "unit": "celsius"}"#,
            r#"{"location": "Paris", "unit": "fahrenheit"}"#,
        ),
        (
            "one-of",
            json!({"unit": {"one_of": ["celsius", "fahrenheit"]}}),
            r#"{"location": "Paris", "unit": "fahrenheit"}"#,
            r#"{"location": "Paris"}"#,
        ),
        (
            "range",
            json!({"/days": {"range": {"min": 1, "max": 7}}}),
            r#"{"location": "Paris", "days": 7.0}"#,
            r#"{"location": "Paris", "days": 8}"#,
        ),
        (
            "range-type",
            json!({"/days": {"range": {"min": 1}}}),
            r#"{"location": "Paris", "days": 2}"#,
            r#"{"location": "Paris", "days": "2"}"#,
        ),
        (
            "regex",
            json!({"location": {"regex": "(?i)^paris\\b"}}),
            r#"{"location": "PARIS, France"}"#,
            r#"{"location": "Near Paris"}"#,
        ),
        (
            "schema",
            json!({"location": {"schema": {"type": "string", "maxLength": 5}}}),
            r#"{"location": "Paris"}"#,
            r#"{"location": "Paris, France"}"#,
        ),
        (
            "pointer",
            json!({"/nested/0/city": {"equals": "Paris"}}),
            r#"{"location": "x", "nested": [{"city": "Paris"}]}"#,
            r#"{"location": "x", "nested": []}"#,
        ),
    ];
    let mut cases = Vec::new();
    let mut model = ScriptedByMessage::default();
    for (name, check, right, wrong) in &checks {
        for (suffix, arguments) in [("pass", right), ("fail", wrong)] {
            let id = format!("{name}-{suffix}");
            cases.push(weather_case(&id, &id, check.clone()));
            model = model.reply(&id, 0, calls(&[("get_current_weather", arguments)]));
        }
    }
    let report = Evaluator::new(&model, &registry)
        .with_schema_form(SchemaForm::Plain)
        .run(&suite(Value::Array(cases)))
        .await
        .expect("the tools exist");

    let w = "get_current_weather";
    let expected: Vec<(String, bool, Vec<String>)> = owned(&[
        ("equals-pass", true, &[]),
        ("equals-fail", false, &[&format!("{w}: `location`: expected \"Paris\", got \"paris\"")]),
        ("absent-pass", true, &[]),
        ("absent-fail", false, &[&format!("{w}: `unit`: expected absent or one of [], got \"celsius\"")]),
        ("absent-or-one-of-pass", true, &[]),
        ("absent-or-one-of-fail", false, &[&format!("{w}: `unit`: expected absent or one of [\"celsius\"], got \"fahrenheit\"")]),
        ("one-of-pass", true, &[]),
        ("one-of-fail", false, &[&format!("{w}: `unit`: missing")]),
        ("range-pass", true, &[]),
        ("range-fail", false, &[&format!("{w}: `/days`: expected a number in [1, 7], got 8")]),
        ("range-type-pass", true, &[]),
        ("range-type-fail", false, &[&format!("{w}: `/days`: expected a number, got \"2\"")]),
        ("regex-pass", true, &[]),
        ("regex-fail", false, &[&format!("{w}: `location`: \"Near Paris\" does not match /(?i)^paris\\b/")]),
        ("schema-pass", true, &[]),
        ("schema-fail", false, &[&format!("{w}: `location`: \"Paris, France\" is not valid: \"Paris, France\" is longer than 5 characters")]),
        ("pointer-pass", true, &[]),
        ("pointer-fail", false, &[&format!("{w}: `/nested/0/city`: missing")]),
    ]);
    assert_eq!(outcomes(&report), expected);
    // The right tool every time; the arguments are what differs.
    assert_eq!(report.summary.right_tool.hits, 18);
    assert_eq!(report.summary.correct_arguments.hits, 9);
}

#[tokio::test(start_paused = true)]
async fn several_expected_calls_match_in_any_order_and_exactly() {
    let registry = weather::registry();
    let expect = json!({"calls": [
        {"tool": "get_current_weather", "arguments": {"location": {"regex": "Tokyo"}}},
        {"tool": "get_current_weather", "arguments": {"location": {"regex": "Paris"}}},
        {"tool": "get_nickname", "arguments": {"location": {"regex": "Paris"}}}
    ]});
    let ids = [
        "in-order",
        "reversed",
        "one-short",
        "one-extra",
        "wrong-pairing",
    ];
    let cases: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "user": id, "expect": expect}))
        .collect();
    let (w, n) = ("get_current_weather", "get_nickname");
    let (tokyo, paris) = (r#"{"location": "Tokyo"}"#, r#"{"location": "Paris"}"#);
    let model = ScriptedByMessage::default()
        .reply("in-order", 0, calls(&[(w, tokyo), (w, paris), (n, paris)]))
        .reply("reversed", 0, calls(&[(n, paris), (w, paris), (w, tokyo)]))
        .reply("one-short", 0, calls(&[(w, tokyo), (n, paris)]))
        .reply(
            "one-extra",
            0,
            calls(&[(w, tokyo), (w, paris), (n, paris), (n, tokyo)]),
        )
        .reply(
            "wrong-pairing",
            0,
            calls(&[(w, tokyo), (w, tokyo), (n, paris)]),
        );
    let report = Evaluator::new(&model, &registry)
        .run(&suite(Value::Array(cases)))
        .await
        .expect("the tools exist");

    let expected = owned(&[
        ("in-order", true, &[]),
        ("reversed", true, &[]),
        ("one-short", false, &["expected calls of [get_current_weather, get_current_weather, get_nickname], got [get_current_weather, get_nickname]", "get_current_weather: `location`: \"Tokyo\" does not match /Paris/"]),
        ("one-extra", false, &["expected calls of [get_current_weather, get_current_weather, get_nickname], got [get_current_weather, get_current_weather, get_nickname, get_nickname]"]),
        ("wrong-pairing", false, &["get_current_weather: `location`: \"Tokyo\" does not match /Paris/"]),
    ]);
    assert_eq!(outcomes(&report), expected);
    let right_tool: Vec<bool> = report
        .cases
        .iter()
        .map(|case| case.trials[0].right_tool)
        .collect();
    assert_eq!(right_tool, [true, true, false, false, true]);
    // The extra call does not stop every expected call being matched.
    let matched: Vec<bool> = report
        .cases
        .iter()
        .map(|case| case.trials[0].correct_arguments)
        .collect();
    assert_eq!(matched, [true, true, false, true, false]);
}

#[tokio::test(start_paused = true)]
async fn no_call_cases_want_no_call_and_the_answer_text_ignoring_case() {
    let registry = weather::registry();
    let cases = json!([
        {"id": "says-it", "user": "a", "expect": {"no_call": {"answer_contains": "hello"}}},
        {"id": "does-not-say-it", "user": "b", "expect": {"no_call": {"answer_contains": "hello"}}},
        {"id": "calls-a-tool", "user": "c", "expect": {"no_call": {}}},
        {"id": "any-text", "user": "d", "expect": {"no_call": {}}}
    ]);
    let model = ScriptedByMessage::default()
        .reply("a", 0, ChatResponse::text("HELLO there"))
        .reply("b", 0, ChatResponse::text("Hi"))
        .reply(
            "c",
            0,
            calls(&[("get_nickname", r#"{"location": "Paris"}"#)]),
        )
        .reply("d", 0, ChatResponse::text(""));
    let report = Evaluator::new(&model, &registry)
        .run(&suite(cases))
        .await
        .expect("no tools expected");
    assert_eq!(
        outcomes(&report),
        owned(&[
            ("says-it", true, &[]),
            (
                "does-not-say-it",
                false,
                &["the answer does not contain \"hello\""]
            ),
            (
                "calls-a-tool",
                false,
                &["expected no call, got [get_nickname]"]
            ),
            ("any-text", true, &[]),
        ])
    );
    assert_eq!(
        (report.summary.no_call.hits, report.summary.no_call.total),
        (2, 4)
    );
    // No call case counts towards right_tool or correct_arguments.
    assert_eq!(report.summary.right_tool.total, 0);
    assert_eq!(report.summary.correct_arguments.total, 0);
}

#[tokio::test(start_paused = true)]
async fn each_case_runs_n_times_and_every_run_is_reported_in_order() {
    let registry = weather::registry();
    // testing::ScriptedModel replies in order: one request at a time keeps it so.
    let model = ScriptedModel::new([
        ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
        ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Rome"}"#)]),
        ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
        ScriptedReply::text("Bonjour"),
        ScriptedReply::text("Bonjour"),
        ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
    ]);
    let suite = suite(json!([
        {"id": "nickname", "user": "Nickname of Paris?",
         "expect": {"calls": [{"tool": "get_nickname", "arguments": {"location": {"equals": "Paris"}}}]}},
        {"id": "hello", "user": "Hello", "expect": {"no_call": {}}}
    ]));
    let mut seen = Vec::new();
    let report = Evaluator::new(&model, &registry)
        .with_runs(3)
        .with_concurrency(1)
        .run_with_progress(&suite, |progress: &Progress| {
            seen.push((
                progress.done,
                progress.total,
                progress.case.clone(),
                progress.run,
                progress.correct,
            ));
        })
        .await
        .expect("the tools exist");
    assert_eq!(model.remaining(), 0);
    assert_eq!(report.runs_per_case, 3);
    let runs: Vec<(String, Vec<(u32, bool)>)> = report
        .cases
        .iter()
        .map(|case| {
            (
                case.id.clone(),
                case.trials
                    .iter()
                    .map(|trial| (trial.run, trial.correct))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            (
                "nickname".to_owned(),
                vec![(0, true), (1, false), (2, true)]
            ),
            ("hello".to_owned(), vec![(0, true), (1, true), (2, false)]),
        ]
    );
    assert_eq!((report.cases[0].passed(), report.cases[1].passed()), (2, 2));
    assert_eq!(
        (report.summary.correct.hits, report.summary.correct.total),
        (4, 6)
    );
    let n = "nickname".to_owned();
    let h = "hello".to_owned();
    assert_eq!(
        seen,
        [
            (1, 6, n.clone(), 0, true),
            (2, 6, n.clone(), 1, false),
            (3, 6, n, 2, true),
            (4, 6, h.clone(), 0, true),
            (5, 6, h.clone(), 1, true),
            (6, 6, h, 2, false),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn no_more_requests_are_in_flight_than_the_concurrency_allows() {
    let registry = weather::registry();
    let mut model = ScriptedByMessage::default();
    let mut cases = Vec::new();
    for at in 0..12 {
        let id = format!("case-{at}");
        cases.push(json!({"id": id, "user": id, "expect": {"no_call": {}}}));
        model = model.reply(&id, 50, ChatResponse::text("ok"));
    }
    let suite = suite(Value::Array(cases));
    for limit in [1, 3, 5] {
        model.most.store(0, Ordering::SeqCst);
        let report = Evaluator::new(&model, &registry)
            .with_concurrency(limit)
            .run(&suite)
            .await
            .expect("no tools expected");
        assert_eq!(model.most.load(Ordering::SeqCst), limit, "limit {limit}");
        // 12 requests of 50 ms, `limit` at a time.
        assert_eq!(
            report.wall_ms,
            50 * 12_u64.div_ceil(limit as u64),
            "limit {limit}"
        );
        assert_eq!(report.summary.correct.hits, 12);
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_and_a_model_error_are_their_runs_failures_and_the_rest_is_scored() {
    let registry = weather::registry();
    let model = ScriptedByMessage::default()
        .reply("slow", 10_000, ChatResponse::text("too late"))
        .fail(
            "broken",
            5,
            ModelError::Status {
                status: 500,
                message: "the GPU is on fire".into(),
            },
        )
        .reply("fine", 0, ChatResponse::text("hi"));
    let suite = suite(json!([
        {"id": "slow", "user": "slow", "expect": {"no_call": {}}},
        {"id": "broken", "user": "broken", "expect": {"calls": [{"tool": "get_nickname"}]}},
        {"id": "fine", "user": "fine", "expect": {"no_call": {}}}
    ]));
    let report = Evaluator::new(&model, &registry)
        .with_timeout(Duration::from_secs(2))
        .run(&suite)
        .await
        .expect("the tools exist");
    let failures: Vec<(Option<String>, u64, bool)> = report
        .cases
        .iter()
        .map(|case| {
            (
                case.trials[0].error.clone(),
                case.trials[0].latency_ms,
                case.trials[0].correct,
            )
        })
        .collect();
    assert_eq!(
        failures,
        [
            (Some("no reply within 2000 ms".to_owned()), 2000, false),
            (
                Some("the model's endpoint answered 500: the GPU is on fire".to_owned()),
                5,
                false
            ),
            (None, 0, true),
        ]
    );
    assert_eq!(report.summary.errors, 2);
    // The latency is the model's over the runs it answered: not the timeout's.
    assert_eq!(
        report.summary.latency,
        tool_runtime::eval::Latency::default()
    );
    assert_eq!(
        (
            report.summary.right_tool.hits,
            report.summary.right_tool.total
        ),
        (0, 1)
    );
    assert!(report
        .to_markdown()
        .contains("| broken | 0/1 | the model's endpoint answered 500: the GPU is on fire |"));
}

#[tokio::test(start_paused = true)]
async fn untrusted_arguments_are_scored_not_trusted() {
    let registry = weather::registry();
    let huge = format!(r#"{{"location": "{}"}}"#, "é".repeat(5_000));
    let model = ScriptedByMessage::default()
        .reply(
            "not-json",
            0,
            calls(&[("get_nickname", "{location: Paris")]),
        )
        .reply("an-array", 0, calls(&[("get_nickname", "[1, 2]")]))
        .reply(
            "wrong-type",
            0,
            calls(&[("get_nickname", r#"{"location": 7}"#)]),
        )
        .reply(
            "unknown-tool",
            0,
            calls(&[("get_weather", r#"{"location": "Paris"}"#)]),
        )
        .reply("huge", 0, calls(&[("get_nickname", &huge)]))
        .reply(
            "extra-field",
            0,
            calls(&[("get_nickname", r#"{"location": "Paris", "extra": 1}"#)]),
        );
    let cases: Vec<Value> = [
        "not-json",
        "an-array",
        "wrong-type",
        "unknown-tool",
        "huge",
        "extra-field",
    ]
    .iter()
    .map(|id| {
        json!({"id": id, "user": id, "expect": {"calls": [{"tool": "get_nickname",
            "arguments": {"location": {"regex": "Paris"}}}]}})
    })
    .collect();
    let report = Evaluator::new(&model, &registry)
        .run(&suite(Value::Array(cases)))
        .await
        .expect("the tools exist");
    let scored: Vec<(bool, Option<bool>, bool)> = report
        .cases
        .iter()
        .map(|case| {
            let call = &case.trials[0].calls[0];
            (call.parses, call.valid, case.trials[0].correct)
        })
        .collect();
    assert_eq!(
        scored,
        [
            (false, Some(false), false),
            (false, Some(false), false),
            (true, Some(false), false),
            (true, Some(false), false),
            (true, Some(true), false),
            // Its checks pass, but the tool would refuse the call: not right.
            (true, Some(false), false),
        ]
    );
    let extra = &report.cases[5].trials[0];
    assert!(extra.right_tool && extra.correct_arguments);
    assert_eq!(
        extra.problems,
        ["get_nickname: the tool would refuse the arguments: Additional properties are not allowed ('extra' was unexpected)"]
    );
    assert_eq!(
        report.cases[3].trials[0].problems,
        [
            "get_weather: no tool of the registry has this name",
            "expected calls of [get_nickname], got [get_weather]"
        ]
    );
    assert_eq!(
        report.cases[0].trials[0].problems,
        [
            "get_nickname: the arguments are not a JSON object: {location: Paris",
            "get_nickname: the arguments do not parse"
        ]
    );
    // What the report keeps of a huge argument is bounded, cut at a character boundary.
    let kept = &report.cases[4].trials[0].calls[0].arguments;
    assert_eq!(kept.len(), 2048 + "...".len());
    assert!(kept.starts_with(r#"{"location": "éé"#) && kept.ends_with("é..."));
    let problem = &report.cases[4].trials[0].problems[0];
    assert!(problem.len() < 300, "{problem}");
    assert_eq!(
        (
            report.summary.arguments_parse.hits,
            report.summary.arguments_parse.total
        ),
        (4, 6)
    );
    assert_eq!(
        (
            report.summary.arguments_valid.hits,
            report.summary.arguments_valid.total
        ),
        (1, 6)
    );
}

#[tokio::test(start_paused = true)]
async fn arguments_are_validated_against_the_schema_in_the_form_the_model_was_sent() {
    let registry = weather::registry();
    // The strict form requires every property (optionals nullable); the plain one does not.
    let model = ScriptedByMessage::default()
        .reply(
            "omitted",
            0,
            calls(&[("get_current_weather", r#"{"location": "Paris"}"#)]),
        )
        .reply(
            "null",
            0,
            calls(&[(
                "get_current_weather",
                r#"{"location": "Paris", "unit": null}"#,
            )]),
        );
    let suite = suite(json!([
        weather_case("omitted", "omitted", json!({})),
        weather_case("null", "null", json!({}))
    ]));
    let mut valid = Vec::new();
    // `None`: the evaluator's default, the plain form (what most clients send).
    for form in [Some(SchemaForm::Plain), Some(SchemaForm::Declared), None] {
        let evaluator = Evaluator::new(&model, &registry);
        let evaluator = match form {
            Some(form) => evaluator.with_schema_form(form),
            None => evaluator,
        };
        let report = evaluator.run(&suite).await.expect("the tools exist");
        valid.push(
            report
                .cases
                .iter()
                .map(|case| case.trials[0].calls[0].valid)
                .collect::<Vec<_>>(),
        );
    }
    // Plain: `unit` omitted or null, both fine; strict: it must be there, null or a unit.
    assert_eq!(
        valid,
        [
            [Some(true), Some(true)],
            [Some(false), Some(true)],
            [Some(true), Some(true)]
        ]
    );
}

/// The three cases of [`small_report`], Paris's city checked with `paris_check`, and
/// `more` cases after them.
fn small_suite(paris_check: Value, more: Value) -> Suite {
    let mut cases = json!([
        {"id": "tokyo", "tags": ["weather"], "user": "Weather in Tokyo?",
         "expect": {"calls": [{"tool": "get_current_weather", "arguments": {
             "location": {"regex": "(?i)tokyo"}, "unit": {"absent_or_one_of": ["celsius"]}}}]}},
        {"id": "paris", "tags": ["weather"], "user": "Weather in Paris?",
         "expect": {"calls": [{"tool": "get_current_weather", "arguments": {
             "location": paris_check}}]}},
        {"id": "hello", "tags": ["chat"], "user": "Hello?",
         "expect": {"no_call": {"answer_contains": "hello"}}}
    ]);
    if let (Some(cases), Some(more)) = (cases.as_array_mut(), more.as_array()) {
        cases.extend(more.iter().cloned());
    }
    Suite::from_json(&json!({"name": "small", "cases": cases}).to_string()).expect("a valid suite")
}

/// Three cases, one run each, two at a time, on the paused clock: every field of the
/// report is known.
async fn small_report(paris_reply: &str, label: &str) -> Report {
    let registry = weather::registry();
    let model = ScriptedByMessage::default()
        .reply(
            "Weather in Tokyo?",
            40,
            calls(&[(
                "get_current_weather",
                r#"{"location":"Tokyo","unit":"celsius"}"#,
            )])
            .with_usage(Usage {
                prompt_tokens: 10,
                completion_tokens: 5,
            }),
        )
        .reply(
            "Weather in Paris?",
            20,
            calls(&[("get_current_weather", paris_reply)]).with_usage(Usage {
                prompt_tokens: 12,
                completion_tokens: 6,
            }),
        )
        .reply("Hello?", 0, ChatResponse::text("Hello! How can I help?"));
    let suite = small_suite(json!({"equals": "Paris"}), json!([]));
    Evaluator::new(&model, &registry)
        .with_concurrency(2)
        .with_schema_form(SchemaForm::Plain)
        .with_label(label)
        .run(&suite)
        .await
        .expect("the tools exist")
}

#[tokio::test(start_paused = true)]
async fn the_json_report_is_the_whole_expected_document_and_loads_back() {
    let report = small_report(r#"{"location":"Rome"}"#, "scripted").await;
    let rate = |hits: u64, total: u64| json!({"hits": hits, "total": total});
    let weather_metrics = json!({
        "runs": 2, "errors": 0,
        "correct": rate(1, 2), "right_tool": rate(2, 2), "arguments_parse": rate(2, 2),
        "arguments_valid": rate(2, 2), "correct_arguments": rate(1, 2), "no_call": rate(0, 0),
        // Of an even count, the median is the mean of the two middle ones.
        "latency": {"mean_ms": 30, "p50_ms": 30, "max_ms": 40},
        "tokens": {"prompt_tokens": 22, "completion_tokens": 11},
        "runs_with_usage": 2
    });
    let chat_metrics = json!({
        "runs": 1, "errors": 0,
        "correct": rate(1, 1), "right_tool": rate(0, 0), "arguments_parse": rate(0, 0),
        "arguments_valid": rate(0, 0), "correct_arguments": rate(0, 0), "no_call": rate(1, 1),
        "latency": {"mean_ms": 0, "p50_ms": 0, "max_ms": 0},
        "tokens": {"prompt_tokens": 0, "completion_tokens": 0},
        "runs_with_usage": 0
    });
    let expected = json!({
        "suite": "small",
        "label": "scripted",
        "runs_per_case": 1,
        "summary": {
            "runs": 3, "errors": 0,
            "correct": rate(2, 3), "right_tool": rate(2, 2), "arguments_parse": rate(2, 2),
            "arguments_valid": rate(2, 2), "correct_arguments": rate(1, 2), "no_call": rate(1, 1),
            "latency": {"mean_ms": 20, "p50_ms": 20, "max_ms": 40},
            "tokens": {"prompt_tokens": 22, "completion_tokens": 11},
            "runs_with_usage": 2
        },
        "by_tool": {"(no call)": chat_metrics, "get_current_weather": weather_metrics},
        "by_tag": {"chat": chat_metrics, "weather": weather_metrics},
        "cases": [
            {"id": "tokyo", "tags": ["weather"], "expected_tools": ["get_current_weather"], "trials": [
                {"run": 0, "latency_ms": 40, "usage": {"prompt_tokens": 10, "completion_tokens": 5},
                 "calls": [{"tool": "get_current_weather", "arguments": r#"{"location":"Tokyo","unit":"celsius"}"#,
                            "parses": true, "valid": true}],
                 "right_tool": true, "correct_arguments": true, "correct": true}
            ]},
            {"id": "paris", "tags": ["weather"], "expected_tools": ["get_current_weather"], "trials": [
                {"run": 0, "latency_ms": 20, "usage": {"prompt_tokens": 12, "completion_tokens": 6},
                 "calls": [{"tool": "get_current_weather", "arguments": r#"{"location":"Rome"}"#,
                            "parses": true, "valid": true}],
                 "right_tool": true, "correct_arguments": false, "correct": false,
                 "problems": ["get_current_weather: `location`: expected \"Paris\", got \"Rome\""]}
            ]},
            {"id": "hello", "tags": ["chat"], "expected_tools": [], "trials": [
                {"run": 0, "latency_ms": 0, "calls": [], "answer": "Hello! How can I help?",
                 "right_tool": true, "correct_arguments": true, "correct": true}
            ]}
        ],
        // Two at a time: Tokyo (40 ms) beside Paris (20 ms) then Hello (0 ms).
        "wall_ms": 40
    });
    let text = report.to_json();
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        expected
    );
    assert_eq!(Report::from_json(&text).expect("it loads back"), report);
}

#[tokio::test(start_paused = true)]
async fn the_markdown_report_has_the_metrics_the_splits_and_what_went_wrong() {
    let report = small_report(r#"{"location":"Rome"}"#, "scripted").await;
    let expected = "\
# Eval: small (scripted)

3 cases, 1 run(s) each: 3 runs in 0.0 s, 0 without a reply.

| metric | value |
| --- | --- |
| correct | 66.7% (2/3) |
| right_tool | 100.0% (2/2) |
| arguments_parse | 100.0% (2/2) |
| arguments_valid | 100.0% (2/2) |
| correct_arguments | 50.0% (1/2) |
| no_call | 100.0% (1/1) |
| latency mean / p50 / max | 20 / 20 / 40 ms |
| tokens prompt / completion | 22 / 11 |

## By tool

| tool | runs | correct | right_tool | arguments_valid | correct_arguments | no_call |
| --- | --- | --- | --- | --- | --- | --- |
| (no call) | 1 | 100% | - | - | - | 100% |
| get_current_weather | 2 | 50% | 100% | 100% | 50% | - |

## By tag

| tag | runs | correct | right_tool | arguments_valid | correct_arguments | no_call |
| --- | --- | --- | --- | --- | --- | --- |
| chat | 1 | 100% | - | - | - | 100% |
| weather | 2 | 50% | 100% | 100% | 50% | - |

## Cases not always right

| case | correct | first problem |
| --- | --- | --- |
| paris | 0/1 | get_current_weather: `location`: expected \"Paris\", got \"Rome\" |
";
    assert_eq!(report.to_markdown(), expected);
}

/// Each changed case: (id, old, new).
type Change = (String, Option<(usize, usize)>, Option<(usize, usize)>);

fn changes(comparison: &Comparison) -> Vec<Change> {
    comparison
        .changed
        .iter()
        .map(|change| (change.id.clone(), change.old, change.new))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_comparison_sets_the_metrics_side_by_side_and_lists_the_cases_that_changed() {
    let old = small_report(r#"{"location":"Rome"}"#, "old").await;
    let new = small_report(r#"{"location":"Paris"}"#, "new").await;
    // Through JSON, as the example compares with a saved report.
    let old = Report::from_json(&old.to_json()).expect("it loads back");
    let comparison = Comparison::new(&old, &new);
    assert_eq!(
        changes(&comparison),
        [("paris".to_owned(), Some((0, 1)), Some((1, 1)))]
    );
    let correct = comparison
        .metrics
        .iter()
        .find(|change| change.metric == Metric::Correct)
        .expect("correct");
    assert!((correct.delta().expect("measured") - 1.0 / 3.0).abs() < 1e-9);
    // Tokens per run: 33 over the 2 runs that reported usage (the no-call reply did not).
    assert_eq!(comparison.tokens_per_run, (16, 16));
    let expected = "\
# Comparison: small (old) -> small (new)

| metric | old | new | change |
| --- | --- | --- | --- |
| correct | 66.7% (2/3) | 100.0% (3/3) | +33.3 pt |
| right_tool | 100.0% (2/2) | 100.0% (2/2) | +0.0 pt |
| arguments_parse | 100.0% (2/2) | 100.0% (2/2) | +0.0 pt |
| arguments_valid | 100.0% (2/2) | 100.0% (2/2) | +0.0 pt |
| correct_arguments | 50.0% (1/2) | 100.0% (2/2) | +50.0 pt |
| no_call | 100.0% (1/1) | 100.0% (1/1) | +0.0 pt |
| latency mean | 20 ms | 20 ms | +0 ms |
| tokens per run | 16 | 16 | +0 |

## Correct by tool

| tool | old | new |
| --- | --- | --- |
| (no call) | 100.0% (1/1) | 100.0% (1/1) |
| get_current_weather | 50.0% (1/2) | 100.0% (2/2) |

## Correct by tag

| tag | old | new |
| --- | --- | --- |
| chat | 100.0% (1/1) | 100.0% (1/1) |
| weather | 50.0% (1/2) | 100.0% (2/2) |

## Cases that changed

| case | old | new |
| --- | --- | --- |
| paris | 0/1 | 1/1 |
";
    assert_eq!(comparison.to_markdown(), expected);
    // A report compared with itself: nothing changed.
    assert!(Comparison::new(&new, &new).changed.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_comparison_lists_cases_only_one_report_has() {
    let mut old = small_report(r#"{"location":"Paris"}"#, "old").await;
    let mut new = old.clone();
    old.cases.retain(|case| case.id != "hello");
    new.cases.retain(|case| case.id != "tokyo");
    assert_eq!(
        changes(&Comparison::new(&old, &new)),
        [
            ("hello".to_owned(), None, Some((1, 1))),
            ("tokyo".to_owned(), Some((1, 1)), None),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn thresholds_name_each_metric_below_its_bound_and_a_metric_not_measured() {
    let report = small_report(r#"{"location":"Rome"}"#, "scripted").await;
    let thresholds: Vec<Threshold> = [
        "correct=0.6",
        "correct_arguments=0.75",
        "right_tool=1",
        "no_call=1.0",
    ]
    .iter()
    .map(|text| text.parse().expect("a threshold"))
    .collect();
    let breaches: Vec<String> = report
        .check(&thresholds)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        breaches,
        ["correct_arguments is 0.500, below the minimum 0.75"]
    );
    assert!(
        report
            .check(&["correct=0.67".parse().expect("a threshold")])
            .len()
            == 1
    );

    // A suite without no-call cases measured no no-call accuracy: its threshold fails.
    let mut calls_only = report.clone();
    calls_only.summary.no_call = Default::default();
    let breaches: Vec<String> = calls_only
        .check(&["no_call=0.5".parse().expect("a threshold")])
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(breaches, ["no_call was not measured (minimum 0.5)"]);

    for (text, problem) in [
        ("correct", "is not METRIC=VALUE"),
        ("speed=0.5", "unknown metric `speed`"),
        ("correct=high", "is not a number"),
        ("correct=80", "a threshold is a share from 0 to 1"),
    ] {
        let error = text.parse::<Threshold>().expect_err(text);
        assert!(error.contains(problem), "{text}: {error}");
    }
}

#[tokio::test]
async fn a_suite_with_a_mistake_is_refused_naming_the_case() {
    let refused = |cases: Value| {
        Suite::from_json(&json!({"name": "x", "cases": cases}).to_string())
            .expect_err("refused")
            .to_string()
    };
    let call =
        |arguments: Value| json!({"calls": [{"tool": "get_nickname", "arguments": arguments}]});
    assert_eq!(
        refused(json!([{"id": "c1", "user": "Hi", "expect": call(json!({"location": {"regex": "(unclosed"}}))}])),
        "case `c1`: get_nickname: `location`: regex \"(unclosed\": regex parse error:\n    (unclosed\n    ^\nerror: unclosed group"
    );
    let schema = refused(
        json!([{"id": "c2", "user": "Hi", "expect": call(json!({"location": {"schema": {"type": "strung"}}}))}]),
    );
    assert!(
        schema.starts_with("case `c2`: get_nickname: `location`: schema: "),
        "{schema}"
    );
    // A schema's patterns match in linear time: look-around (which backtracks) is refused.
    let backtracking = refused(
        json!([{"id": "c8", "user": "Hi", "expect": call(json!({"location": {"schema": {"type": "string", "pattern": "^(?=a)(a+)+$"}}}))}]),
    );
    assert!(
        backtracking.starts_with("case `c8`: get_nickname: `location`: schema: "),
        "{backtracking}"
    );
    // `null` is absent: an `equals` or `one_of` of it could never pass.
    assert_eq!(
        refused(json!([{"id": "c9", "user": "Hi", "expect": call(json!({"location": {"equals": null}}))}])),
        "case `c9`: get_nickname: `location`: equals: null means absent; check absence with `absent_or_one_of: []`"
    );
    assert_eq!(
        refused(json!([{"id": "c10", "user": "Hi", "expect": call(json!({"location": {"one_of": ["x", null]}}))}])),
        "case `c10`: get_nickname: `location`: one_of: null means absent; allow absence with `absent_or_one_of`"
    );
    assert_eq!(
        refused(
            json!([{"id": "c3", "user": "Hi", "expect": call(json!({"n": {"range": {"min": 5, "max": 1}}}))}])
        ),
        "case `c3`: get_nickname: `n`: range: min 5 is above max 1"
    );
    assert_eq!(
        refused(json!([{"id": "c4", "expect": {"no_call": {}}}])),
        "case `c4`: give either `user` or `thread`"
    );
    assert_eq!(
        refused(
            json!([{"id": "c5", "user": "a", "expect": {"no_call": {}}}, {"id": "c5", "user": "b", "expect": {"no_call": {}}}])
        ),
        "case `c5`: the id is used twice"
    );
    assert_eq!(
        refused(json!([{"id": "c6", "user": "a", "expect": {"calls": []}}])),
        "case `c6`: `calls` is empty: expect `no_call` for a reply without calls"
    );
    let unknown_check = refused(
        json!([{"id": "c7", "user": "a", "expect": call(json!({"n": {"approximately": 3}}))}]),
    );
    assert!(
        unknown_check.starts_with("the suite is not valid: unknown variant `approximately`"),
        "{unknown_check}"
    );
    assert_eq!(
        refused(json!([])),
        "the suite is not valid: the suite has no cases"
    );

    // Tools the registry does not have: nothing is sent.
    let model = ScriptedModel::new([]);
    let registry = weather::registry();
    let suite = suite(
        json!([{"id": "x", "user": "a", "expect": {"calls": [{"tool": "get_forecast"}, {"tool": "get_nickname"}]}}]),
    );
    let error = Evaluator::new(&model, &registry)
        .run(&suite)
        .await
        .expect_err("refused");
    assert!(matches!(&error, SuiteError::UnknownTools(tools) if tools == &["get_forecast"]));
    assert!(model.requests().is_empty());
}

#[tokio::test]
async fn a_check_on_an_argument_the_tool_does_not_have_is_refused_naming_case_and_key() {
    // A pointer that is not one is refused at load.
    let bad_pointer = Suite::from_json(
        &json!({"name": "x", "cases": [{"id": "p1", "user": "a", "expect": {"calls": [
            {"tool": "get_nickname", "arguments": {"/location~2": {"equals": "x"}}}]}}]})
        .to_string(),
    )
    .expect_err("refused");
    assert_eq!(
        bad_pointer.to_string(),
        "case `p1`: get_nickname: `/location~2`: not a JSON pointer: `~` must be followed by `0` (for `~`) or `1` (for `/`)"
    );
    // Where the registry is known, a key naming an argument of the tool runs; a
    // pointer's first segment, unescaped, is the argument.
    let registry = check_tools::registry();
    let fine = || {
        weather_case(
            "fine",
            "a",
            json!({"location": {"equals": "Paris"}, "/nested/a~1b": {"equals": 1}}),
        )
    };
    let model = ScriptedModel::new([ScriptedReply::tool_calls([(
        "get_current_weather",
        r#"{"location": "Paris", "nested": {"a/b": 1}}"#,
    )])]);
    let report = Evaluator::new(&model, &registry)
        .run(&suite(json!([fine()])))
        .await
        .expect("the keys are the tool's");
    assert!(report.cases[0].trials[0].correct, "{:?}", report.cases[0]);
    // A misspelt name, or a pointer into no argument: refused by the run, nothing sent,
    // and by a rescore.
    let model = ScriptedModel::new([]);
    for (key, name) in [("unti", "unti"), ("/nestd/0", "nestd")] {
        let misspelt = suite(json!([
            fine(),
            weather_case("typo", "b", json!({key: {"absent_or_one_of": []}}))
        ]));
        let expected =
            format!("case `typo`: get_current_weather: `{key}`: the tool has no argument `{name}`");
        let error = Evaluator::new(&model, &registry)
            .run(&misspelt)
            .await
            .expect_err("refused");
        assert_eq!(error.to_string(), expected);
        let error = report
            .rescore(&misspelt, &registry, SchemaForm::Plain)
            .expect_err("refused");
        assert_eq!(error.to_string(), expected);
    }
    assert!(model.requests().is_empty());
}

#[tokio::test]
async fn a_case_thread_follows_the_suite_instructions_and_is_sent_as_written() {
    let registry = weather::registry();
    let model = ScriptedModel::new([ScriptedReply::text("It is the City of Light.")]);
    let suite = Suite::from_json(
        &json!({"name": "t", "system": "Be brief.", "cases": [{"id": "thread", "thread": [
            {"role": "user", "content": "Nickname of Paris?"},
            {"role": "assistant", "tool_calls": [{"id": "call_1", "name": "get_nickname", "arguments": "{\"location\": \"Paris\"}"}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "City of Light"}
        ], "expect": {"no_call": {"answer_contains": "city of light"}}}]})
        .to_string(),
    )
    .expect("a valid suite");
    let report = Evaluator::new(&model, &registry)
        .run(&suite)
        .await
        .expect("no tools expected");
    assert!(report.cases[0].trials[0].correct);
    let [request] = &model.requests()[..] else {
        panic!("one request")
    };
    assert_eq!(request.messages.len(), 4);
    assert_eq!(request.messages[0], Message::system("Be brief."));
    assert_eq!(request.tools, ["get_current_weather", "get_nickname"]);
}

#[tokio::test]
async fn the_projects_suites_load_and_name_only_tools_their_examples_have() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/evals");
    let weather = Suite::load(root.join("weather.json")).expect("the weather suite loads");
    assert!(weather.unknown_tools(&weather::registry()).is_empty());
    let store = examples::tasks::Store::in_memory().expect("a store");
    let planner = Suite::load(root.join("task_planner.json")).expect("the planner suite loads");
    let planner_tools = examples::tasks::registry(store).expect("tools");
    assert!(planner.unknown_tools(&planner_tools).is_empty());
    // Every check is on an argument its tool has (a model that only fails: nothing
    // scored, but the run's checks of the suite against the registry made).
    for (suite, registry) in [(&weather, &weather::registry()), (&planner, &planner_tools)] {
        let model = ScriptedModel::new([]);
        let checked = Evaluator::new(&model, registry).run(suite).await;
        assert!(checked.is_ok(), "{}: {:?}", suite.name(), checked.err());
    }
    for suite in [&weather, &planner] {
        let no_call = suite
            .cases()
            .iter()
            .filter(|case| case.expected_tools().is_empty())
            .count();
        assert!(
            (10..=15).contains(&suite.cases().len()) && no_call >= 3,
            "{}",
            suite.name()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_saved_report_is_scored_again_against_an_edited_suite_without_a_model() {
    let report = small_report(r#"{"location":"Rome"}"#, "scripted").await;
    let saved = Report::from_json(&report.to_json()).expect("it loads back");
    let registry = weather::registry();
    // The same suite: the same report.
    let same = small_suite(json!({"equals": "Paris"}), json!([]));
    assert_eq!(
        saved
            .rescore(&same, &registry, SchemaForm::Plain)
            .expect("the tools exist"),
        report
    );
    // Rome accepted now; a case the report does not have is left out.
    let edited = small_suite(
        json!({"one_of": ["Paris", "Rome"]}),
        json!([{"id": "new", "user": "New?", "expect": {"no_call": {}}}]),
    );
    let again = saved
        .rescore(&edited, &registry, SchemaForm::Plain)
        .expect("the tools exist");
    let ids: Vec<&str> = again.cases.iter().map(|case| case.id.as_str()).collect();
    assert_eq!(ids, ["tokyo", "paris", "hello"]);
    assert_eq!(
        (again.summary.correct.hits, again.summary.correct.total),
        (3, 3)
    );
    // What was measured stays as measured.
    assert_eq!(
        (again.summary.latency, again.summary.tokens),
        (report.summary.latency, report.summary.tokens)
    );
    assert_eq!((again.wall_ms, again.label.as_str()), (40, "scripted"));
    let changed: Vec<String> = Comparison::new(&saved, &again)
        .changed
        .iter()
        .map(|change| change.id.clone())
        .collect();
    assert_eq!(changed, ["paris"]);
    // In the strict form, Paris's call leaves out `unit`: invalid there, still accepted.
    let strict = saved
        .rescore(&same, &registry, SchemaForm::Declared)
        .expect("the tools exist");
    assert_eq!(strict.summary.arguments_valid.hits, 1);
    assert_eq!(strict.summary.correct, report.summary.correct);
}

#[tokio::test(start_paused = true)]
async fn a_reply_of_many_calls_keeps_a_bounded_list_of_problems() {
    let registry = weather::registry();
    let many = vec![("get_weather", "{}"); 40];
    let model = ScriptedByMessage::default().reply("many", 0, calls(&many));
    let suite = suite(json!([{"id": "many", "user": "many", "expect": {"no_call": {}}}]));
    let report = Evaluator::new(&model, &registry)
        .run(&suite)
        .await
        .expect("no tools expected");
    let trial = &report.cases[0].trials[0];
    // 40 lines of an unknown tool and one of a call where none was expected: 16 kept.
    assert_eq!(trial.problems.len(), 17);
    assert_eq!(
        trial.problems[0],
        "get_weather: no tool of the registry has this name"
    );
    assert_eq!(trial.problems[16], "... and 25 more");
    assert_eq!(trial.calls.len(), 40);
}

/// A tool with a `#[tool(default)]` parameter, whose plain schema
/// (`{"type": "integer", "default": 10}`) does not allow `null`.
mod default_tools {
    use tool_runtime::tool;

    /// Find places.
    ///
    /// # Arguments
    /// * `query` - What to look for.
    /// * `limit` - How many at most.
    #[tool]
    fn find_places(query: String, #[tool(default = 10)] limit: u32) -> String {
        format!("{query} {limit}")
    }

    pub(crate) fn registry() -> tool_runtime::ToolRegistry {
        let mut registry = tool_runtime::ToolRegistry::new();
        registry.register(FindPlaces).expect("the tool registers");
        registry
    }
}

#[tokio::test(start_paused = true)]
async fn calls_the_registry_accepts_are_not_counted_refused() {
    let registry = default_tools::registry();
    // What the registry reads leniently: `null` for a defaulted parameter (what the strict
    // form makes a model send) is the default; arguments encoded twice are the object.
    let replies = [
        r#"{"query": "cafes", "limit": null}"#,
        r#""{\"query\": \"cafes\", \"limit\": 3.0}""#,
        r#"{"query": "cafes", "limit": "three"}"#,
    ];
    for arguments in replies {
        let call = tool_runtime::ToolCall::new("call_1", "find_places", arguments);
        let accepted = registry.dispatch(&call).await;
        assert_eq!(
            accepted.is_error,
            arguments.contains("three"),
            "{arguments}: {accepted:?}"
        );
    }
    let model = ScriptedModel::new(
        replies.map(|arguments| ScriptedReply::tool_calls([("find_places", arguments)])),
    );
    let suite = suite(
        json!([{"id": "cafes", "user": "Cafes?", "expect": {"calls": [
        {"tool": "find_places", "arguments": {"query": {"equals": "cafes"}}}]}}]),
    );
    let report = Evaluator::new(&model, &registry)
        .with_runs(3)
        .with_concurrency(1)
        .run(&suite)
        .await
        .expect("the tool exists");
    let scored: Vec<(bool, bool, Vec<String>)> = report.cases[0]
        .trials
        .iter()
        .map(|trial| (trial.calls[0].parses, trial.correct, trial.problems.clone()))
        .collect();
    assert_eq!(
        scored,
        [
            (true, true, vec![]),
            (true, true, vec![]),
            (
                true,
                false,
                vec![
                    "find_places: the tool would refuse the arguments: \"three\" is not of type \"integer\""
                        .to_owned()
                ]
            ),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_tools_row_counts_the_arguments_of_its_own_calls() {
    let registry = check_tools::registry();
    // The weather case's reply also calls get_nickname, with arguments that do not parse:
    // that says something of get_nickname's arguments, nothing of get_current_weather's.
    let model = ScriptedModel::new([
        ScriptedReply::tool_calls([
            ("get_current_weather", r#"{"location": "Paris"}"#),
            ("get_nickname", "{location"),
        ]),
        ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
    ]);
    let suite = suite(json!([
        weather_case("weather", "a", json!({})),
        {"id": "nickname", "user": "b", "expect": {"calls": [{"tool": "get_nickname"}]}}
    ]));
    let report = Evaluator::new(&model, &registry)
        .with_concurrency(1)
        .run(&suite)
        .await
        .expect("the tools exist");
    type Hits = (u64, u64);
    let rows: Vec<(&str, Hits, Hits, Hits)> = report
        .by_tool
        .iter()
        .map(|(tool, metrics)| {
            let pair = |rate: tool_runtime::eval::Rate| (rate.hits, rate.total);
            (
                tool.as_str(),
                pair(metrics.correct),
                pair(metrics.arguments_parse),
                pair(metrics.arguments_valid),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // Correct is by the case's expected tool: the weather case's reply was wrong.
            ("get_current_weather", (0, 1), (1, 1), (1, 1)),
            ("get_nickname", (1, 1), (1, 2), (1, 2)),
        ]
    );
    let pair = |rate: tool_runtime::eval::Rate| (rate.hits, rate.total);
    assert_eq!(pair(report.summary.arguments_parse), (2, 3));
}

#[tokio::test(start_paused = true)]
async fn a_reply_the_report_clipped_keeps_its_scores_when_scored_again() {
    let registry = check_tools::registry();
    let long_city = format!("Paris{}", "s".repeat(3_000));
    let long_answer = format!("{} goodbye", "la ".repeat(1_000));
    let model = ScriptedModel::new([
        ScriptedReply::tool_calls([(
            "get_nickname",
            json!({"location": long_city}).to_string().as_str(),
        )]),
        ScriptedReply::text(&long_answer),
    ]);
    let suite = suite(json!([
        {"id": "long-call", "user": "a", "expect": {"calls": [
            {"tool": "get_nickname", "arguments": {"location": {"regex": "^Paris"}}}]}},
        {"id": "long-answer", "user": "b", "expect": {"no_call": {"answer_contains": "goodbye"}}}
    ]));
    let report = Evaluator::new(&model, &registry)
        .with_concurrency(1)
        .run(&suite)
        .await
        .expect("the tools exist");
    let call = &report.cases[0].trials[0].calls[0];
    let answer = &report.cases[1].trials[0];
    assert_eq!((call.clipped, call.parses), (true, true));
    assert!(answer.answer_clipped);
    assert_eq!(report.summary.correct.hits, 2);
    // Scored again from what the report kept: cut arguments would not parse, and the cut
    // answer lacks its last word; the scores of the whole replies stand.
    let saved = Report::from_json(&report.to_json()).expect("it loads back");
    let again = saved
        .rescore(&suite, &registry, SchemaForm::Plain)
        .expect("the tools exist");
    assert_eq!(again, report);
}
