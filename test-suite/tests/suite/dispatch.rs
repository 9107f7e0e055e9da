//! Behaviour of `ToolRegistry::dispatch`, `dispatch_all` and `register`: every path of
//! docs/design.md's "Dispatch: errors are data" and "Context the model never sees".

use crate::support::dispatch_tools;

use std::any::type_name;
use std::num::NonZeroUsize;
use std::time::Duration;

use serde_json::{json, Value};
use tool_runtime::tool::{ToolFuture, ToolInput};
use tool_runtime::{
    RegistryError, Tool, ToolCall, ToolDefinition, ToolFormat, ToolOutput, ToolRegistry,
};

use dispatch_tools::{
    registry, Add, Configure, CountWords, Gauge, Greeting, Job, NotFound, Ping, PingAgain, Tally,
    Welcome, Whoami,
};

/// The keys of a JSON object, in order (empty for anything else).
fn json_keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|members| members.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Dispatches one call with id `call_1`.
async fn call(registry: &ToolRegistry, name: &str, arguments: &str) -> ToolOutput {
    registry
        .dispatch(&ToolCall::new("call_1", name, arguments))
        .await
}

/// `(content, is_error)` of a call, for comparing with one `assert_eq!`.
async fn outcome(registry: &ToolRegistry, name: &str, arguments: &str) -> (String, bool) {
    let output = call(registry, name, arguments).await;
    (output.content, output.is_error)
}

fn success(content: &str) -> (String, bool) {
    (content.to_owned(), false)
}

fn failure(content: &str) -> (String, bool) {
    (content.to_owned(), true)
}

/// The message for arguments that are not JSON, with serde_json's own description of `text`.
fn not_json(tool: &str, text: &str) -> String {
    let error = serde_json::from_str::<Value>(text).expect_err("the text is not JSON");
    format!("invalid arguments for tool `{tool}`: the arguments are not valid JSON ({error})")
}

// ---------------------------------------------------------------------------------------
// Arguments the model got wrong
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn arguments_that_are_not_json_are_an_error_naming_the_tool() {
    let registry = registry();
    for text in [
        r#"{"a": 2,"#,
        "not json",
        "{'a': 2, 'b': 3}",
        "{\"a\": 2} trailing",
    ] {
        assert_eq!(
            outcome(&registry, "add", text).await,
            failure(&not_json("add", text)),
            "arguments {text:?}"
        );
    }
}

#[tokio::test]
async fn arguments_that_are_json_but_not_an_object_are_an_error() {
    let registry = registry();
    for (text, kind) in [
        ("[1]", "an array"),
        ("42", "a number"),
        ("true", "a boolean"),
        (r#""just text""#, "a string"),
    ] {
        assert_eq!(
            outcome(&registry, "add", text).await,
            failure(&format!(
                "invalid arguments for tool `add`: the arguments must be a JSON object, not {kind}"
            )),
            "arguments {text}"
        );
    }
}

/// The schema says `"type": "object"`, and an array of one element is refused as "not an
/// object"; an array as long as the parameter list must not be read positionally either.
#[tokio::test]
async fn positional_array_arguments_are_an_error() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "add", "[2, 3]").await,
        failure(
            "invalid arguments for tool `add`: the arguments must be a JSON object, not an array"
        )
    );
    assert_eq!(
        outcome(&registry, "divide", "[1, 0]").await,
        failure("invalid arguments for tool `divide`: the arguments must be a JSON object, not an array")
    );
}

#[tokio::test]
async fn wrong_types_name_the_field_and_the_problem() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "add", r#"{"a": "two", "b": 3}"#).await,
        failure(r#"invalid arguments for tool `add`: a: invalid type: string "two", expected i64"#)
    );
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 2, "b": 1.5}"#).await,
        failure(
            "invalid arguments for tool `add`: b: invalid type: floating point `1.5`, expected i64"
        )
    );
    assert_eq!(
        outcome(&registry, "echo", r#"{"text": ["a"]}"#).await,
        failure(
            "invalid arguments for tool `echo`: text: invalid type: sequence, expected a string"
        )
    );
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 2}"#).await,
        failure("invalid arguments for tool `add`: missing field `b`")
    );
    assert_eq!(
        outcome(&registry, "search", r#"{"query": "x", "filter": {}}"#).await,
        failure("invalid arguments for tool `search`: filter: missing field `limit`")
    );
}

#[tokio::test]
async fn a_bad_enum_value_names_the_field_and_the_variants() {
    let registry = registry();
    assert_eq!(
        outcome(
            &registry,
            "forecast",
            r#"{"location": "Paris", "unit": "kelvin"}"#
        )
        .await,
        failure(
            "invalid arguments for tool `forecast`: unit: unknown variant `kelvin`, expected `celsius` or `fahrenheit`"
        )
    );
}

#[tokio::test]
async fn a_nested_field_error_has_the_dotted_path() {
    let registry = registry();
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"limit": "many"}}"#
        )
        .await,
        failure(
            r#"invalid arguments for tool `search`: filter.limit: invalid type: string "many", expected u8"#
        )
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"limit": 300}}"#
        )
        .await,
        failure(
            "invalid arguments for tool `search`: filter.limit: invalid value: integer `300`, expected u8"
        )
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"limit": 1, "tags": ["a", 7]}}"#
        )
        .await,
        failure(
            "invalid arguments for tool `search`: filter.tags[1]: invalid type: integer `7`, expected a string"
        )
    );
}

/// Strict mode makes `offset` required and nullable, so `"offset": null` is what a model
/// following the schema sends; the error must point at the field that is actually wrong.
#[tokio::test]
async fn a_strict_null_beside_a_wrong_field_does_not_hide_the_wrong_field() {
    let registry = registry();
    let strict = registry
        .definition("search")
        .and_then(ToolDefinition::strict_parameters)
        .expect("search has a strict form");
    assert_eq!(
        strict["properties"]["filter"]["properties"]["offset"]["type"],
        json!(["integer", "null"])
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"offset": null, "limit": "many", "tags": null}}"#
        )
        .await,
        failure(
            r#"invalid arguments for tool `search`: filter.limit: invalid type: string "many", expected u8"#
        )
    );
}

#[tokio::test]
async fn an_unknown_top_level_field_is_rejected_by_name() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 2, "b": 3, "c": 4}"#).await,
        failure("invalid arguments for tool `add`: c: unknown field `c`, expected `a` or `b`")
    );
    assert_eq!(
        outcome(&registry, "ping", r#"{"loud": true}"#).await,
        failure(
            "invalid arguments for tool `ping`: loud: unknown field `loud`, there are no fields"
        )
    );
}

/// An unknown field next to a strict-mode `null` (which the schema allows) is the problem
/// to report, not the `null`.
#[tokio::test]
async fn an_unknown_top_level_field_is_named_even_beside_a_strict_null() {
    let registry = registry();
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"limit": 2, "offset": null}, "bogus": 1}"#
        )
        .await,
        failure(
            "invalid arguments for tool `search`: bogus: unknown field `bogus`, expected `query` or `filter`"
        )
    );
}

/// Inside a user type that tolerates unknown fields (no `deny_unknown_fields`), an unknown
/// field beside a strict-mode `null` is accepted, or refused by name; never blamed on the
/// `null`.
#[tokio::test]
async fn an_unknown_nested_field_is_not_blamed_on_a_strict_null() {
    let registry = registry();
    let output = call(
        &registry,
        "search",
        r#"{"query": "x", "filter": {"limit": 2, "offset": null, "bogus": 1}}"#,
    )
    .await;
    assert!(
        !output.content.contains("offset")
            && (!output.is_error || output.content.contains("bogus")),
        "{output:?}"
    );
}

/// JSON Schema counts `2.0` as an integer, so where the schema says `integer`, dispatch
/// reads it as `2`: at the top level, nested, and as a map's value.
#[tokio::test]
async fn integral_floats_are_integers_where_the_schema_says_integer() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 2.0, "b": -3.0}"#).await,
        success("-1")
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "q", "filter": {"limit": 1.0}}"#
        )
        .await,
        success(r#"["q#0[]"]"#)
    );
    assert_eq!(
        registry.definition("count_words").unwrap().parameters()["properties"]["counts"]
            ["additionalProperties"]["type"],
        "integer"
    );
    assert_eq!(
        outcome(
            &registry,
            "count_words",
            r#"{"counts": {"a": 2.0, "b": 1}}"#
        )
        .await,
        success("3")
    );
    // A fraction is still not an integer.
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 2.5, "b": 1}"#).await,
        failure(
            "invalid arguments for tool `add`: a: invalid type: floating point `2.5`, expected i64"
        )
    );
}

/// `null` for a map entry is not an absent field: a `HashMap<String, u32>` cannot hold it,
/// and the schema (`additionalProperties: {"type": "integer"}`) forbids it. Dropping the
/// entry would run the tool on data the model did not send.
#[tokio::test]
async fn a_null_map_value_is_an_error_not_a_dropped_entry() {
    let registry = registry();
    let output = call(
        &registry,
        "count_words",
        r#"{"counts": {"a": null, "b": 2}}"#,
    )
    .await;
    assert!(
        output.is_error
            && output
                .content
                .starts_with("invalid arguments for tool `count_words`: counts.a: "),
        "{output:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Leniency: what models send that means something
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn empty_text_and_null_mean_no_arguments() {
    let registry = registry();
    for text in ["", "   ", "\n", "null", " null "] {
        assert_eq!(
            outcome(&registry, "ping", text).await,
            success("pong"),
            "{text:?}"
        );
        assert_eq!(
            outcome(&registry, "configure", text).await,
            success(r#"verbose=None limit=10 label="""#),
            "{text:?}"
        );
        assert_eq!(
            outcome(&registry, "add", text).await,
            failure("invalid arguments for tool `add`: missing field `a`"),
            "{text:?}"
        );
    }
}

#[tokio::test]
async fn doubly_encoded_arguments_are_decoded() {
    let registry = registry();
    let inner = json!({"a": 2, "b": 3}).to_string();
    let twice = Value::String(inner).to_string();
    assert_eq!(twice, r#""{\"a\":2,\"b\":3}""#);
    assert_eq!(outcome(&registry, "add", &twice).await, success("5"));

    // Errors inside are reported as for the object itself.
    let twice = Value::String(json!({"a": 2}).to_string()).to_string();
    assert_eq!(
        outcome(&registry, "add", &twice).await,
        failure("invalid arguments for tool `add`: missing field `b`")
    );
}

#[tokio::test]
async fn null_means_absent_for_option_and_default_parameters() {
    let registry = registry();
    assert_eq!(
        outcome(
            &registry,
            "configure",
            r#"{"verbose": null, "limit": null, "label": null}"#
        )
        .await,
        success(r#"verbose=None limit=10 label="""#)
    );
    assert_eq!(
        outcome(&registry, "configure", r#"{"verbose": null, "limit": 3}"#).await,
        success(r#"verbose=None limit=3 label="""#)
    );
    assert_eq!(
        outcome(
            &registry,
            "configure",
            r#"{"verbose": true, "limit": null}"#
        )
        .await,
        success(r#"verbose=Some(true) limit=10 label="""#)
    );
    // Nested: a `#[serde(default)]` field and an `Option` field of a parameter's struct.
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "x", "filter": {"limit": 2, "offset": null, "tags": null}}"#
        )
        .await,
        success(r#"["x#0[]","x#1[]"]"#)
    );
    // A required parameter stays required.
    assert_eq!(
        outcome(&registry, "add", r#"{"a": null, "b": 3}"#).await,
        failure("invalid arguments for tool `add`: a: invalid type: null, expected i64")
    );
}

#[tokio::test]
async fn defaults_apply_when_absent_and_values_override_them() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "configure", "{}").await,
        success(r#"verbose=None limit=10 label="""#)
    );
    assert_eq!(
        outcome(&registry, "configure", r#"{"verbose": false}"#).await,
        success(r#"verbose=Some(false) limit=10 label="""#)
    );
    assert_eq!(
        outcome(
            &registry,
            "configure",
            r#"{"limit": 0, "label": "x", "verbose": true}"#
        )
        .await,
        success(r#"verbose=Some(true) limit=0 label="x""#)
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "q", "filter": {"limit": 2, "tags": ["a", "b"]}}"#
        )
        .await,
        success(r#"["q#0[a+b]","q#1[a+b]"]"#)
    );
}

// ---------------------------------------------------------------------------------------
// Unknown tools, failing tools, panicking tools, slow tools
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_tool_is_named_and_the_available_ones_listed() {
    let registry = registry();
    let available: Vec<String> = registry.names().map(|name| format!("`{name}`")).collect();
    assert!(available.contains(&"`echo`".to_owned()) && available.len() > 10);
    let output = call(&registry, "get_weather", "{}").await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (
            format!(
                "unknown tool `get_weather`; available tools: {}",
                available.join(", ")
            )
            .as_str(),
            true
        )
    );
    assert_eq!(output.tool_call_id, "call_1");

    assert_eq!(
        outcome(&ToolRegistry::new(), "get_weather", "{}").await,
        failure("unknown tool `get_weather`; no tools are available")
    );
}

#[tokio::test]
async fn a_tool_error_is_its_display_text() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "divide", r#"{"a": 1, "b": 0}"#).await,
        failure("cannot divide 1 by 0")
    );
    assert_eq!(
        outcome(&registry, "lookup", r#"{"key": "attic"}"#).await,
        failure(&NotFound("attic".into()).to_string())
    );
    assert_eq!(
        NotFound("attic".into()).to_string(),
        r#"no entry named "attic""#
    );
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_and_the_registry_stays_usable() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "explode", r#"{"message": "boom"}"#).await,
        failure("tool `explode` panicked: deliberate panic: boom")
    );
    assert_eq!(
        outcome(&registry, "echo", r#"{"text": "still here"}"#).await,
        success("still here")
    );
    // A panic after the tool has waited once, and a panic that is not text.
    assert_eq!(
        outcome(&registry, "explode_later", r#"{"message": "later"}"#).await,
        failure("tool `explode_later` panicked: deliberate panic: later")
    );
    assert_eq!(
        outcome(&registry, "explode_opaque", "").await,
        failure("tool `explode_opaque` panicked")
    );
    // Nothing is poisoned: the same tool panics the same way, others still work.
    assert_eq!(
        outcome(&registry, "explode", r#"{"message": "again"}"#).await,
        failure("tool `explode` panicked: deliberate panic: again")
    );
    assert_eq!(
        outcome(&registry, "add", r#"{"a": 40, "b": 2}"#).await,
        success("42")
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_over_the_timeout_is_an_error_and_the_registry_stays_usable() {
    let registry = registry().with_timeout(Duration::from_millis(50));
    let start = tokio::time::Instant::now();
    assert_eq!(
        outcome(&registry, "nap", r#"{"ms": 1000}"#).await,
        failure("tool `nap` timed out after 50ms")
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(50) && waited < Duration::from_millis(1000),
        "the call was stopped at the timeout, not when the tool finished: {waited:?}"
    );
    assert_eq!(
        outcome(&registry, "nap", r#"{"ms": 10}"#).await,
        success("slept 10 ms")
    );
    assert_eq!(
        outcome(&registry, "echo", r#"{"text": "after"}"#).await,
        success("after")
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_timeout_a_slow_call_finishes() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "nap", r#"{"ms": 60000}"#).await,
        success("slept 60000 ms")
    );
}

// ---------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_string_output_is_sent_as_is() {
    let registry = registry();
    let text = r#"he said "hi"\n and left"#;
    let arguments = json!({ "text": text }).to_string();
    assert_eq!(outcome(&registry, "echo", &arguments).await, success(text));
    assert_eq!(
        outcome(&registry, "echo", r#"{"text": ""}"#).await,
        success("")
    );
}

#[tokio::test]
async fn a_static_str_output_is_sent_as_is() {
    assert_eq!(outcome(&registry(), "ping", "{}").await, success("pong"));
}

#[tokio::test]
async fn a_unit_output_is_a_short_success_text() {
    let output = call(&registry(), "forget", r#"{"key": "k"}"#).await;
    assert!(!output.is_error, "{output:?}");
    let text = output.content.trim();
    assert!(
        !text.is_empty() && text.len() <= 32 && !["null", "()", "\"\"", "{}"].contains(&text),
        "{output:?}"
    );
}

#[tokio::test]
async fn a_serialize_output_is_compact_json() {
    let registry = registry();
    assert_eq!(
        outcome(
            &registry,
            "forecast",
            r#"{"location": "Paris", "unit": "celsius"}"#
        )
        .await,
        success(r#"{"location":"Paris","temperature":22,"unit":"celsius"}"#)
    );
    assert_eq!(
        outcome(
            &registry,
            "search",
            r#"{"query": "q", "filter": {"limit": 2, "offset": 5}}"#
        )
        .await,
        success(r#"["q#5[]","q#6[]"]"#)
    );
    assert_eq!(
        outcome(&registry, "count_words", r#"{"counts": {"a": 2, "b": 3}}"#).await,
        success("5")
    );
}

#[tokio::test]
async fn a_result_ok_is_rendered_like_its_value() {
    let registry = registry();
    assert_eq!(
        outcome(&registry, "divide", r#"{"a": 7, "b": 2}"#).await,
        success("3")
    );
    assert_eq!(
        outcome(&registry, "lookup", r#"{"key": "home"}"#).await,
        success(r#"12 "Quiet" Street"#)
    );
}

/// Every output answers its call by id; errors other than the tool's own `Err` text name
/// the tool.
#[tokio::test]
async fn the_call_id_is_carried_to_the_output() {
    let registry = registry();
    for (name, arguments, is_error, names_tool) in [
        ("echo", r#"{"text": "hi"}"#, false, false),
        ("echo", "{", true, true),
        ("divide", r#"{"a": 1, "b": 0}"#, true, false),
        ("explode", r#"{"message": "m"}"#, true, true),
        ("explode_later", r#"{"message": "m"}"#, true, true),
        ("no_such_tool", "{}", true, true),
    ] {
        let output = registry
            .dispatch(&ToolCall::new("call_xyz-9", name, arguments))
            .await;
        assert_eq!(
            (output.tool_call_id.as_str(), output.is_error),
            ("call_xyz-9", is_error),
            "{output:?}"
        );
        assert_eq!(
            output.content.contains(&format!("`{name}`")),
            names_tool,
            "{output:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Context the model never sees
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn state_is_injected_and_absent_from_the_schema() {
    let mut registry = ToolRegistry::new().with_state(Greeting("Hej".into()));
    registry.register(Welcome).expect("the state is there");
    assert_eq!(
        outcome(&registry, "welcome", r#"{"name": "Ada"}"#).await,
        success("Hej, Ada!")
    );
    assert_eq!(
        outcome(&dispatch_tools::registry(), "welcome", r#"{"name": "Ada"}"#).await,
        success("Hello, Ada!")
    );

    let definition = registry.definition("welcome").unwrap();
    assert_eq!(json_keys(&definition.parameters()["properties"]), ["name"]);
    assert_eq!(definition.parameters()["required"], json!(["name"]));
    let strict = definition
        .strict_parameters()
        .expect("welcome can be strict");
    assert_eq!(json_keys(&strict["properties"]), ["name"]);
    let exported = registry.export(ToolFormat::OpenAiChat);
    assert_eq!(
        json_keys(&exported[0]["function"]["parameters"]["properties"]),
        ["name"]
    );

    // The model cannot supply it either.
    assert_eq!(
        outcome(&registry, "welcome", r#"{"name": "Ada", "greeting": "Yo"}"#).await,
        failure(
            "invalid arguments for tool `welcome`: greeting: unknown field `greeting`, expected `name`"
        )
    );
}

#[tokio::test]
async fn state_is_shared_between_calls() {
    let gauge = Gauge::default();
    let mut registry = ToolRegistry::new().with_state(gauge.clone());
    registry.register(Job).unwrap();
    for label in ["first", "second"] {
        let arguments = json!({"label": label, "ms": 0}).to_string();
        assert_eq!(outcome(&registry, "job", &arguments).await, success(label));
    }
    assert_eq!(gauge.finished(), ["first", "second"]);
}

#[tokio::test]
async fn the_call_context_gives_the_call_id() {
    let registry = registry();
    for id in ["call_42", "toolu_01A", ""] {
        let output = registry.dispatch(&ToolCall::new(id, "whoami", "")).await;
        assert_eq!((output.content.as_str(), output.is_error), (id, false));
    }
    let definition = registry.definition("whoami").unwrap();
    assert_eq!(definition.parameters()["properties"], json!({}));
    assert_eq!(
        outcome(&registry, "whoami", r#"{"call": "fake"}"#).await,
        failure(
            "invalid arguments for tool `whoami`: call: unknown field `call`, there are no fields"
        )
    );
}

// ---------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_duplicate_name_is_refused_naming_both_types_and_changes_nothing() {
    let mut registry = ToolRegistry::new();
    registry.register(Ping).unwrap().register(Add).unwrap();
    let names_before: Vec<String> = registry.names().map(str::to_owned).collect();
    let exported_before = registry.export(ToolFormat::OpenAiChat);

    let error = registry.register(PingAgain).map(|_| ()).unwrap_err();
    assert_eq!(
        error,
        RegistryError::DuplicateName {
            name: "ping".into(),
            existing: type_name::<Ping>(),
            new: type_name::<PingAgain>(),
        }
    );
    let message = error.to_string();
    for part in [
        "`ping`",
        type_name::<Ping>(),
        type_name::<PingAgain>(),
        "dispatch_tools::PingAgain",
    ] {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }

    assert_eq!(registry.len(), 2);
    assert_eq!(registry.names().collect::<Vec<_>>(), names_before);
    assert_eq!(registry.export(ToolFormat::OpenAiChat), exported_before);
    assert_eq!(outcome(&registry, "ping", "").await, success("pong"));
    // Still open for other tools.
    registry.register(Whoami).unwrap();
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["ping", "add", "whoami"]
    );
}

#[test]
fn missing_state_is_refused_naming_the_tool_and_the_type() {
    let mut registry = ToolRegistry::new();
    let error = registry.register(Welcome).map(|_| ()).unwrap_err();
    assert_eq!(
        error,
        RegistryError::MissingState {
            tool: "welcome".into(),
            type_name: type_name::<Greeting>(),
            hint: String::new(),
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("`welcome`") && message.contains(type_name::<Greeting>()),
        "{message:?}"
    );
    assert!(registry.is_empty());

    let mut registry = registry.with_state(Greeting("Hi".into()));
    registry.register(Welcome).expect("now the state is there");
    assert_eq!(registry.len(), 1);
}

#[tokio::test]
async fn an_arc_given_to_with_state_is_named_and_with_shared_state_shares_it() {
    // The usual slip: `with_state(Arc::new(x))` holds an `Arc<T>`, where `State<T>` wants `T`.
    let shared = std::sync::Arc::new(Greeting("Hello".into()));
    let mut wrong = ToolRegistry::new().with_state(std::sync::Arc::clone(&shared));
    let message = wrong.register(Welcome).map(|_| ()).unwrap_err().to_string();
    assert!(
        message.contains(&format!("it holds an `Arc<{}>`", type_name::<Greeting>()))
            && message.contains("with_shared_state"),
        "{message}"
    );
    drop(wrong);

    let mut registry = ToolRegistry::new().with_shared_state(std::sync::Arc::clone(&shared));
    registry
        .register(Welcome)
        .expect("the shared value is a Greeting");
    let output = registry
        .dispatch(&ToolCall::new("call_1", "welcome", r#"{"name": "Ada"}"#))
        .await;
    assert!(!output.is_error, "{}", output.content);
    // The registry holds the very `Arc` given: no copy was made.
    assert_eq!(std::sync::Arc::strong_count(&shared), 2);
}

#[test]
fn a_strict_tool_with_a_map_parameter_is_refused() {
    let mut registry = ToolRegistry::new();
    let error = registry.register(Tally).map(|_| ()).unwrap_err();
    match &error {
        RegistryError::NotStrict { tool, reason } => {
            assert_eq!(tool, "tally");
            assert!(reason.contains("counts"), "{reason:?}");
        }
        other => panic!("expected NotStrict, got {other:?}"),
    }
    assert!(error.to_string().contains("`tally`"), "{error}");
    assert!(registry.is_empty());

    // The same parameter without `strict` registers, exported in plain form.
    registry.register(CountWords).unwrap();
    assert!(!registry.definition("count_words").unwrap().is_strict());
}

/// A hand-written tool whose name no provider accepts.
struct BadlyNamed(ToolDefinition);

impl Tool for BadlyNamed {
    const NAME: &'static str = "bad name";

    fn definition(&self) -> &ToolDefinition {
        &self.0
    }

    fn call<'a>(&'a self, _input: ToolInput<'a>) -> ToolFuture<'a> {
        ToolFuture::ready(Ok(String::new()))
    }
}

#[test]
fn an_unportable_name_is_refused() {
    let mut registry = ToolRegistry::new();
    let tool = BadlyNamed(ToolDefinition::new(
        "bad name",
        "Has a space in its name.",
        json!({"type": "object", "properties": {}}),
    ));
    let error = registry.register(tool).map(|_| ()).unwrap_err();
    assert_eq!(
        error,
        RegistryError::InvalidName {
            name: "bad name".into()
        }
    );
    assert!(registry.is_empty());
}

// ---------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------

fn job_registry(gauge: &Gauge) -> ToolRegistry {
    let mut registry = ToolRegistry::new().with_state(gauge.clone());
    registry.register(Job).unwrap();
    registry
}

fn job_call(index: usize, label: &str, ms: u16) -> ToolCall {
    ToolCall::new(
        format!("call_{index}"),
        "job",
        json!({"label": label, "ms": ms}).to_string(),
    )
}

fn jobs(count: usize, ms: u16) -> Vec<ToolCall> {
    (0..count)
        .map(|i| job_call(i, &format!("job{i}"), ms))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn dispatch_all_keeps_call_order_when_later_calls_finish_first() {
    let gauge = Gauge::default();
    let registry = job_registry(&gauge);
    let calls = [
        job_call(0, "slow", 300),
        job_call(1, "fast", 100),
        job_call(2, "medium", 200),
    ];
    let outputs = registry.dispatch_all(&calls).await;
    let seen: Vec<(&str, &str, bool)> = outputs
        .iter()
        .map(|o| (o.tool_call_id.as_str(), o.content.as_str(), o.is_error))
        .collect();
    assert_eq!(
        seen,
        [
            ("call_0", "slow", false),
            ("call_1", "fast", false),
            ("call_2", "medium", false)
        ]
    );
    assert_eq!(gauge.finished(), ["fast", "medium", "slow"]);
}

#[tokio::test(start_paused = true)]
async fn dispatch_all_runs_every_call_at_once_by_default() {
    const CALLS: usize = 16;
    let gauge = Gauge::default();
    let registry = job_registry(&gauge);
    let start = tokio::time::Instant::now();
    let outputs = registry.dispatch_all(&jobs(CALLS, 100)).await;
    let elapsed = start.elapsed();

    assert_eq!(outputs.len(), CALLS);
    assert!(outputs.iter().all(|o| !o.is_error), "{outputs:?}");
    assert_eq!(gauge.max_in_flight(), CALLS);
    // On the paused clock, one round of 100 ms, not sixteen.
    assert!(
        elapsed >= Duration::from_millis(100) && elapsed < Duration::from_millis(200),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn with_concurrency_bounds_the_calls_in_flight() {
    let gauge = Gauge::default();
    let registry = job_registry(&gauge).with_concurrency(NonZeroUsize::new(3).unwrap());
    let start = tokio::time::Instant::now();
    let outputs = registry.dispatch_all(&jobs(10, 100)).await;
    let elapsed = start.elapsed();

    let ids: Vec<&str> = outputs.iter().map(|o| o.tool_call_id.as_str()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("call_{i}")).collect();
    assert_eq!(ids, expected);
    assert!(outputs.iter().all(|o| !o.is_error), "{outputs:?}");
    assert_eq!(gauge.max_in_flight(), 3);
    // Ten calls, three at a time: at least four rounds of 100 ms.
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");

    let gauge = Gauge::default();
    let registry = job_registry(&gauge).with_concurrency(NonZeroUsize::new(1).unwrap());
    let calls = [
        job_call(0, "a", 300),
        job_call(1, "b", 100),
        job_call(2, "c", 200),
    ];
    registry.dispatch_all(&calls).await;
    assert_eq!(gauge.max_in_flight(), 1);
    assert_eq!(gauge.finished(), ["a", "b", "c"]);
}

#[tokio::test]
async fn dispatch_all_of_nothing_is_nothing() {
    assert!(registry().dispatch_all(&[]).await.is_empty());
}

#[tokio::test]
async fn dispatch_all_gives_one_output_per_call_whatever_goes_wrong() {
    let registry = registry();
    let calls = [
        ToolCall::new("c0", "echo", r#"{"text": "one"}"#),
        ToolCall::new("c1", "nope", "{}"),
        ToolCall::new("c2", "explode", r#"{"message": "two"}"#),
        ToolCall::new("c3", "add", r#"{"a": 1}"#),
        ToolCall::new("c4", "whoami", ""),
        ToolCall::new("c5", "divide", r#"{"a": 1, "b": 0}"#),
        ToolCall::new("c6", "add", r#"{"a": 1, "b": 2}"#),
    ];
    let outputs = registry.dispatch_all(&calls).await;
    let seen: Vec<(&str, bool)> = outputs
        .iter()
        .map(|o| (o.tool_call_id.as_str(), o.is_error))
        .collect();
    assert_eq!(
        seen,
        [
            ("c0", false),
            ("c1", true),
            ("c2", true),
            ("c3", true),
            ("c4", false),
            ("c5", true),
            ("c6", false),
        ]
    );
    assert_eq!(
        outputs[2].content,
        "tool `explode` panicked: deliberate panic: two"
    );
    assert_eq!(outputs[0].content, "one");
    assert_eq!(outputs[4].content, "c4");
    assert_eq!(outputs[6].content, "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_is_usable_from_many_tasks() {
    let registry = std::sync::Arc::new(registry());
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let registry = registry.clone();
            tokio::spawn(async move {
                let arguments = json!({"a": i, "b": 1}).to_string();
                registry
                    .dispatch(&ToolCall::new(format!("t{i}"), "add", arguments))
                    .await
            })
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let output = handle.await.unwrap();
        assert_eq!(
            (output.tool_call_id, output.content, output.is_error),
            (format!("t{i}"), (i + 1).to_string(), false)
        );
    }
    // A panicking tool leaves nothing poisoned for other tasks either.
    let output = call(&registry, "explode", r#"{"message": "x"}"#).await;
    assert!(output.is_error);
    assert_eq!(outcome(&registry, "ping", "").await, success("pong"));
}

/// `Configure`'s generated struct and const are what the contract says.
#[test]
fn the_generated_struct_has_the_tool_name() {
    assert_eq!(Configure::NAME, "configure");
    assert_eq!(PingAgain::NAME, "ping");
    assert_eq!(
        dispatch_tools::add(2, 3),
        5,
        "the function is still callable"
    );
}

#[test]
fn a_timeout_without_a_tokio_runtime_is_an_error_output_not_a_panic() {
    let registry = registry().with_timeout(Duration::from_millis(50));
    let call = ToolCall::new("call_1", "nap", r#"{"ms": 1}"#);
    let output = futures::executor::block_on(registry.dispatch(&call));
    assert_eq!(
        output,
        ToolOutput::error(
            &call,
            "tool `nap` has a timeout, which needs a Tokio runtime"
        )
    );
    // A sync tool does not wait, so it needs no timer and no runtime.
    let output = futures::executor::block_on(registry.dispatch(&ToolCall::new(
        "call_2",
        "add",
        r#"{"a": 1, "b": 2}"#,
    )));
    assert_eq!((output.content.as_str(), output.is_error), ("3", false));
}

#[test]
fn a_dispatch_polled_after_its_output_answers_again_without_running_the_tool() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let registry = registry();
    let call = ToolCall::new("call_1", "add", r#"{"a": 1, "b": 2}"#);
    let mut dispatch = std::pin::pin!(registry.dispatch(&call));
    let mut context = Context::from_waker(Waker::noop());
    assert_eq!(
        dispatch.as_mut().poll(&mut context),
        Poll::Ready(ToolOutput::success(&call, "3"))
    );
    assert_eq!(
        dispatch.as_mut().poll(&mut context),
        Poll::Ready(ToolOutput::error(
            &call,
            "the call of tool `add` was already answered"
        ))
    );
}

// An async tool runs in a boxed future, under the timer when the registry has a timeout:
// its panic is an output either way, and a poll after its output answers again.
#[tokio::test]
async fn an_async_tools_panic_under_a_timeout_is_an_output_and_a_late_poll_answers_again() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let registry = registry().with_timeout(Duration::from_secs(5));
    assert_eq!(
        outcome(&registry, "explode_later", r#"{"message": "timed"}"#).await,
        failure("tool `explode_later` panicked: deliberate panic: timed")
    );
    let call = ToolCall::new("call_1", "nap", r#"{"ms": 1}"#);
    let mut dispatch = std::pin::pin!(registry.dispatch(&call));
    let first = dispatch.as_mut().await;
    assert_eq!(
        (first.content.as_str(), first.is_error),
        ("slept 1 ms", false)
    );
    assert_eq!(
        dispatch
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop())),
        Poll::Ready(ToolOutput::error(
            &call,
            "the call of tool `nap` was already answered"
        ))
    );
}

/// Async tools whose bodies `#[tool]` reads as unable to wait.
mod cannot_wait {
    use tool_runtime::tool;

    /// Not the standard library's `println!`: this one waits, where `#[tool]`, which reads
    /// only the tool's body, cannot see it.
    macro_rules! println {
        () => {
            ::std::future::pending::<()>().await
        };
    }

    /// Answer at once.
    ///
    /// # Arguments
    /// * `n` - A number.
    #[tool]
    pub(super) async fn at_once(n: u32) -> Result<u32, String> {
        n.checked_mul(2).ok_or(format!("{n} is too large"))
    }

    /// Wait where `#[tool]` cannot see it.
    #[tool]
    pub(super) async fn hidden_wait() -> u32 {
        println!();
        1
    }
}

// An `async fn` without `.await` completes in the first poll (no timer, no runtime: it
// cannot wait); one whose wait a macro hides is an error output, not a call that hangs.
#[test]
fn an_async_tool_that_cannot_wait_answers_in_its_first_poll() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let mut registry = ToolRegistry::new().with_timeout(Duration::from_secs(1));
    registry
        .register(cannot_wait::AtOnce)
        .and_then(|registry| registry.register(cannot_wait::HiddenWait))
        .expect("two tools");
    let mut context = Context::from_waker(Waker::noop());
    let answers = [
        ("at_once", r#"{"n": 21}"#, ("42", false)),
        ("at_once", r#"{"n": 4294967295}"#, ("4294967295 is too large", true)),
        (
            "hidden_wait",
            "",
            (
                "tool `hidden_wait` is misconfigured and stopped part way (a developer must fix it); do not retry it",
                true,
            ),
        ),
    ];
    for (name, arguments, (content, is_error)) in answers {
        let call = ToolCall::new("call_1", name, arguments);
        let dispatch = std::pin::pin!(registry.dispatch(&call));
        let Poll::Ready(output) = dispatch.poll(&mut context) else {
            panic!("`{name}` did not answer in its first poll");
        };
        assert_eq!(
            (output.content.as_str(), output.is_error),
            (content, is_error)
        );
    }
}

#[test]
fn a_timeout_on_a_runtime_without_timers_is_an_error_output_not_a_panic() {
    let registry = registry().with_timeout(Duration::from_millis(50));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime without timers");
    let call = ToolCall::new("call_1", "nap", r#"{"ms": 1}"#);
    let output = runtime.block_on(registry.dispatch(&call));
    assert_eq!(
        output,
        ToolOutput::error(
            &call,
            "tool `nap` has a timeout, which needs a Tokio runtime with timers enabled"
        )
    );
}

#[tokio::test]
async fn an_unknown_tool_name_is_quoted_at_most_64_characters_long() {
    let name = "x".repeat(10_000);
    let output = registry()
        .dispatch(&ToolCall::new("call_1", &name, "{}"))
        .await;
    assert!(output.is_error);
    assert!(output.content.starts_with(&format!(
        "unknown tool `{}...`; available tools: ",
        "x".repeat(64)
    )));
    assert!(
        output.content.len() < 2_000,
        "{} bytes",
        output.content.len()
    );
}

/// `invoke` gives what `dispatch` gives, without the envelope: the output's text as `Ok`, or
/// the error's as `Err`, for every kind of outcome, sync and async, in a registry of many
/// tools (found through the index) and of a few (found by comparing names).
#[tokio::test]
async fn invoke_gives_the_text_dispatch_gives() {
    use tool_runtime::CallRef;

    let many = registry();
    let mut few = ToolRegistry::new();
    few.register(Add)
        .expect("add")
        .register(Ping)
        .expect("ping");
    let calls = [
        ("add", r#"{"a": 2, "b": 3}"#),
        ("add", r#"{"a": "two"}"#),
        ("add", r#"{"a": 2.0, "b": null}"#),
        ("ping", ""),
        ("divide", r#"{"a": 1, "b": 0}"#),
        ("explode", r#"{"message": "now"}"#),
        ("explode_later", r#"{"message": "later"}"#),
        ("nap", r#"{"ms": 1}"#),
        ("whoami", ""),
        ("nope", "{}"),
    ];
    for registry in [&many, &few] {
        for (name, arguments) in calls {
            let call = CallRef::new("call_7", name, arguments);
            let output = registry.dispatch(call).await;
            let expected = if output.is_error {
                Err(output.content)
            } else {
                Ok(output.content)
            };
            assert_eq!(registry.invoke(call).await, expected, "{name} {arguments}");
            assert_eq!(output.tool_call_id, "call_7");
        }
    }
    assert_eq!(
        few.invoke(CallRef::new("1", "nope", "")).await,
        Err("unknown tool `nope`; available tools: `add`, `ping`".to_owned())
    );
    // The tool's context has the id, which `invoke` borrows.
    assert_eq!(
        many.invoke(CallRef::new("call_9", "whoami", "")).await,
        Ok("call_9".to_owned())
    );
}

/// A run-time tool `echo_N` answering `label`.
fn numbered(number: usize, label: &str) -> tool_runtime::tool::RuntimeTool {
    let definition = ToolDefinition::new(
        format!("echo_{number}"),
        "Say a number.",
        json!({"type": "object", "properties": {}}),
    );
    let label = label.to_owned();
    tool_runtime::tool::RuntimeTool::new(definition, move |_| {
        let label = label.clone();
        async move { Ok(label) }
    })
    .expect("a valid schema")
}

/// Removing or replacing a tool moves the others; a call must still reach the tool it
/// names, whether the registry finds names by comparing them (a few tools) or by hashing
/// (many).
#[tokio::test]
async fn after_a_removal_or_replacement_each_name_reaches_its_own_tool() {
    for count in [3, 12] {
        let mut registry = ToolRegistry::new();
        for number in 0..count {
            registry
                .register_runtime(numbered(number, &number.to_string()))
                .expect("registers");
        }
        assert!(registry.remove("echo_0"));
        assert!(!registry.remove("echo_0"));
        registry.replace(numbered(1, "one")).expect("replaces");
        for number in 1..count {
            let output = call(&registry, &format!("echo_{number}"), "").await;
            let expected = if number == 1 {
                "one".to_owned()
            } else {
                number.to_string()
            };
            assert_eq!((output.content, output.is_error), (expected, false));
        }
        let gone = call(&registry, "echo_0", "").await;
        assert!(
            gone.is_error && gone.content.starts_with("unknown tool `echo_0`"),
            "{}",
            gone.content
        );
        let names: Vec<String> = (1..count).map(|number| format!("echo_{number}")).collect();
        assert_eq!(registry.names().collect::<Vec<_>>(), names);
    }
}

/// Tools that a `macro_rules!` macro writes, with the attributes, the first parameter's
/// name and the type its caller gives: the `fn` token, whose hygiene the expansion's items
/// take, is the macro's, `#[tool]` the caller's. Parameters are named like the expansion's
/// own locals, which they must not meet.
mod written_by_a_macro {
    use tool_runtime::tool;

    macro_rules! adder {
        ($(#[$meta:meta])* $name:ident($first:ident: $ty:ty)) => {
            $(#[$meta])*
            pub(super) fn $name($first: $ty, b: $ty) -> $ty {
                $first + b
            }
        };
    }

    adder!(
        /// Add two numbers.
        ///
        /// # Arguments
        /// * `__map` - The first number.
        /// * `b` - The second number.
        #[tool]
        add_bytes(__map: u8)
    );
    adder!(
        /// Add two numbers.
        ///
        /// # Arguments
        /// * `__tool_arguments` - The first number.
        /// * `b` - The second number.
        #[tool]
        add_wide(__tool_arguments: i64)
    );

    /// Add six numbers.
    ///
    /// # Arguments
    /// * `__value` - A number.
    /// * `__index` - A number.
    /// * `__key` - A number.
    /// * `__deserializer` - A number.
    /// * `__formatter` - A number.
    /// * `__tool_field_0` - A number.
    #[tool]
    pub(super) fn add_six(
        __value: u8,
        __index: u8,
        __key: u8,
        __deserializer: u8,
        __formatter: u8,
        __tool_field_0: u8,
    ) -> u32 {
        [
            __value,
            __index,
            __key,
            __deserializer,
            __formatter,
            __tool_field_0,
        ]
        .into_iter()
        .map(u32::from)
        .sum()
    }
}

#[tokio::test]
async fn tools_written_by_a_macro_rules_macro_dispatch_as_any_other() {
    use written_by_a_macro::{AddBytes, AddSix, AddWide};

    let mut registry = ToolRegistry::new();
    registry
        .register(AddBytes)
        .expect("add_bytes")
        .register(AddWide)
        .expect("add_wide")
        .register(AddSix)
        .expect("add_six");
    assert_eq!(
        outcome(&registry, "add_bytes", r#"{"__map": 2, "b": 3}"#).await,
        success("5")
    );
    assert_eq!(
        outcome(
            &registry,
            "add_wide",
            r#"{"__tool_arguments": 3000000000, "b": 1}"#
        )
        .await,
        success("3000000001")
    );
    assert_eq!(
        outcome(&registry, "add_bytes", r#"{"__map": 300, "b": 1}"#).await,
        failure(
            "invalid arguments for tool `add_bytes`: __map: invalid value: integer `300`, expected u8"
        )
    );
    assert_eq!(
        outcome(&registry, "add_wide", r#"{"__tool_arguments": 1, "c": 2}"#).await,
        failure(
            "invalid arguments for tool `add_wide`: c: unknown field `c`, expected `__tool_arguments` or `b`"
        )
    );
    let six = r#"{"__value": 1, "__index": 2, "__key": 3, "__deserializer": 4, "__formatter": 5, "__tool_field_0": 6}"#;
    assert_eq!(outcome(&registry, "add_six", six).await, success("21"));
    let parameters = registry
        .definition("add_bytes")
        .expect("registered")
        .parameters();
    assert_eq!(json_keys(&parameters["properties"]), ["__map", "b"]);
}
