//! The Assistants server over raw HTTP, for what the official SDK never sends or does not
//! show: missing keys, bodies that are not JSON or too large, unknown paths, and the
//! pagination of lists (`limit`, `order`, `after`, `before`, `first_id`, `last_id`,
//! `has_more`).

use std::time::Duration;

use serde_json::{json, Value};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::server::{AssistantsServer, ServerHandle, SqliteStore};
use tool_runtime::testing::ScriptedModel;
use tool_runtime::transport::ClientConfig;

use crate::support::model_server::{self, Reply};

const KEY: &str = "test-key";

async fn serve(configure: impl FnOnce(AssistantsServer) -> AssistantsServer) -> ServerHandle {
    let server = AssistantsServer::new(
        ScriptedModel::new([]),
        SqliteStore::in_memory().expect("sqlite"),
        KEY,
    );
    configure(server)
        .serve("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the server starts")
}

/// Sends a request and returns its status and JSON body.
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn error(message: &str, code: Value) -> Value {
    json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}})
}

#[tokio::test]
async fn keys_bodies_and_paths_are_refused_in_the_reference_shape() {
    let server = serve(|server| server.with_max_request_bytes(1024)).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.url());

    let (status, body) = send(http.get(url("/assistants"))).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        error(
            "You didn't provide an API key. Provide it in an Authorization header: `Authorization: Bearer YOUR_KEY`.",
            json!("missing_api_key")
        )
    );
    let (status, body) = send(http.get(url("/assistants")).bearer_auth("nope")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &json!("invalid_api_key"))
    );

    let (status, body) = send(
        http.post(url("/assistants"))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body("{\"model\": "),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().is_some_and(
            |message| message.starts_with("We could not parse the JSON body of your request:")
        ),
        "{body}"
    );

    let big = json!({"model": "m", "instructions": "x".repeat(2000)});
    let (status, body) = send(http.post(url("/assistants")).bearer_auth(KEY).json(&big)).await;
    assert_eq!(status, 413);
    assert_eq!(
        body,
        error(
            "The request body is over the server's limit of 1024 bytes.",
            json!("request_too_large")
        )
    );

    let (status, body) = send(http.get(url("/files")).bearer_auth(KEY)).await;
    assert_eq!(
        (status, body),
        (404, error("Invalid URL (GET /v1/files)", Value::Null))
    );

    // Nothing of the refused requests was kept.
    let (status, body) = send(http.get(url("/assistants")).bearer_auth(KEY)).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false})
        )
    );
    server.shutdown().await.expect("the server stops");
}

#[tokio::test]
async fn lists_page_with_limit_order_after_and_before() {
    let server = serve(|server| server).await;
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..5 {
        let (status, body) = send(
            http.post(format!("{}/assistants", server.url()))
                .bearer_auth(KEY)
                .json(&json!({"model": "m", "name": format!("a{n}")})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("asst_")));
        assert!(body["created_at"]
            .as_i64()
            .is_some_and(|at| at > 1_700_000_000));
        ids.push(body["id"].as_str().unwrap_or_default().to_owned());
    }
    let list = |query: String| {
        let request = http
            .get(format!("{}/assistants?{query}", server.url()))
            .bearer_auth(KEY);
        async move {
            let (status, body) = send(request).await;
            assert_eq!(status, 200, "{body}");
            let names: Vec<String> = body["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item["name"].as_str().map(str::to_owned))
                .collect();
            (
                names,
                body["first_id"].clone(),
                body["last_id"].clone(),
                body["has_more"].clone(),
            )
        }
    };
    // Newest first by default.
    assert_eq!(
        list("limit=2".into()).await,
        (
            vec!["a4".into(), "a3".into()],
            json!(ids[4]),
            json!(ids[3]),
            json!(true)
        )
    );
    assert_eq!(
        list(format!("limit=2&after={}", ids[3])).await,
        (
            vec!["a2".into(), "a1".into()],
            json!(ids[2]),
            json!(ids[1]),
            json!(true)
        )
    );
    assert_eq!(
        list(format!("limit=2&after={}", ids[1])).await,
        (
            vec!["a0".into()],
            json!(ids[0]),
            json!(ids[0]),
            json!(false)
        )
    );
    assert_eq!(
        list(format!("order=asc&limit=2&after={}", ids[0])).await,
        (
            vec!["a1".into(), "a2".into()],
            json!(ids[1]),
            json!(ids[2]),
            json!(true)
        )
    );
    // `before`: the page just before the cursor, in the listing's order.
    assert_eq!(
        list(format!("order=asc&limit=2&before={}", ids[4])).await,
        (
            vec!["a2".into(), "a3".into()],
            json!(ids[2]),
            json!(ids[3]),
            json!(true)
        )
    );
    assert_eq!(
        list(format!("limit=10&before={}", ids[1])).await,
        (
            vec!["a4".into(), "a3".into(), "a2".into()],
            json!(ids[4]),
            json!(ids[2]),
            json!(false)
        )
    );
    let (status, body) = send(
        http.get(format!("{}/assistants?order=sideways", server.url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!((status, &body["error"]["param"]), (400, &json!("order")));
    server.shutdown().await.expect("the server stops");
}

fn chunk(calls: Value) -> String {
    let chunk =
        json!({"choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": null}]});
    format!("data: {chunk}\n\n")
}

/// The events of an SSE body: (event name, data as JSON, or the raw text).
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter(|frame| !frame.trim().is_empty())
        .map(|frame| {
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|line| line.strip_prefix(name))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let data = field("data:");
            let value = serde_json::from_str(&data).unwrap_or(Value::String(data));
            (field("event:"), value)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn interleaved_upstream_calls_stream_one_after_another() {
    // The upstream interleaves two calls' pieces, as parallel calls may come.
    let upstream = model_server::serve(
        "/v1/chat/completions",
        [Reply::sse([
            chunk(json!([{"index": 0, "id": "call_a", "type": "function", "function": {"name": "lookup", "arguments": ""}}])),
            chunk(json!([{"index": 1, "id": "call_b", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":"}}])),
            chunk(json!([{"index": 0, "function": {"arguments": "{\"q\":"}}])),
            chunk(json!([{"index": 1, "function": {"arguments": " \"b\"}"}}])),
            chunk(json!([{"index": 0, "function": {"arguments": " \"a\"}"}}])),
            format!("data: {}\n\n", json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})),
            "data: [DONE]\n\n".to_owned(),
        ])],
    )
    .await;
    let model = OpenAiClient::new(
        ClientConfig::new(format!("{}/v1", upstream.base_url), "m")
            .with_timeout(Duration::from_secs(5))
            .with_retries(0),
    );
    let server = AssistantsServer::new(model, SqliteStore::in_memory().expect("sqlite"), KEY)
        .serve("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the server starts");
    let http = reqwest::Client::new();
    let tool = json!({"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}});
    let (_, assistant) = send(
        http.post(format!("{}/assistants", server.url()))
            .bearer_auth(KEY)
            .json(&json!({"model": "m", "tools": [tool]})),
    )
    .await;
    let response = http
        .post(format!("{}/threads/runs", server.url()))
        .bearer_auth(KEY)
        .json(&json!({
            "assistant_id": assistant["id"],
            "thread": {"messages": [{"role": "user", "content": "Look up a and b"}]},
            "stream": true,
        }))
        .send()
        .await
        .expect("a stream");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let events = events(&response.text().await.expect("the stream's end"));
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "thread.created",
            "thread.run.created",
            "thread.run.queued",
            "thread.run.in_progress",
            "thread.run.step.created",
            "thread.run.step.in_progress",
            "thread.run.step.delta",
            "thread.run.step.delta",
            "thread.run.step.delta",
            "thread.run.step.delta",
            "thread.run.step.delta",
            "thread.run.requires_action",
            "done",
        ]
    );
    let pieces: Vec<Value> = events
        .iter()
        .filter(|(name, _)| name == "thread.run.step.delta")
        .map(|(_, data)| data["delta"]["step_details"]["tool_calls"][0].clone())
        .collect();
    let head = |index: u32, id: &str| json!({"index": index, "id": id, "type": "function", "function": {"name": "lookup", "arguments": "", "output": null}});
    let piece = |index: u32, arguments: &str| json!({"index": index, "type": "function", "function": {"arguments": arguments}});
    assert_eq!(
        pieces,
        [
            head(0, "call_a"),
            piece(0, "{\"q\":"),
            piece(0, " \"a\"}"),
            head(1, "call_b"),
            piece(1, "{\"q\": \"b\"}"),
        ]
    );
    let (_, run) = &events[11];
    assert_eq!(run["status"], "requires_action");
    assert_eq!(
        run["required_action"]["submit_tool_outputs"]["tool_calls"],
        json!([
            {"id": "call_a", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\": \"a\"}"}},
            {"id": "call_b", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\": \"b\"}"}},
        ])
    );
    assert_eq!(events[12].1, json!("[DONE]"));
    server.shutdown().await.expect("the server stops");
}

/// A SQLite store whose commits of assistant messages fail (a full disk, say).
#[derive(Debug)]
struct FailingMessages(SqliteStore);

impl tool_runtime::server::Store for FailingMessages {
    fn get(
        &self,
        kind: tool_runtime::server::Kind,
        id: &str,
    ) -> Result<Option<tool_runtime::server::Record>, tool_runtime::server::StoreError> {
        self.0.get(kind, id)
    }
    fn list(
        &self,
        query: &tool_runtime::server::ListQuery,
    ) -> Result<tool_runtime::server::Page, tool_runtime::server::StoreError> {
        self.0.list(query)
    }
    fn commit(
        &self,
        writes: Vec<tool_runtime::server::Write>,
    ) -> Result<(), tool_runtime::server::StoreError> {
        use tool_runtime::server::{Kind, StoreError, Write};
        let writes_a_reply = writes.iter().any(
            |write| matches!(write, Write::Put(Kind::Message, record) if record.run_id.is_some()),
        );
        if writes_a_reply {
            return Err(StoreError("disk full".into()));
        }
        self.0.commit(writes)
    }
    fn unfinished_runs(
        &self,
    ) -> Result<Vec<tool_runtime::server::Record>, tool_runtime::server::StoreError> {
        self.0.unfinished_runs()
    }
    fn active_run(
        &self,
        thread_id: &str,
    ) -> Result<Option<tool_runtime::server::Record>, tool_runtime::server::StoreError> {
        self.0.active_run(thread_id)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_fails_says_error_on_the_stream_and_keeps_no_half_message() {
    let model = ScriptedModel::new([tool_runtime::testing::ScriptedReply::text("Hello.")]);
    let store = FailingMessages(SqliteStore::in_memory().expect("sqlite"));
    let server = AssistantsServer::new(model, store, KEY)
        .serve("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the server starts");
    let http = reqwest::Client::new();
    let (_, assistant) = send(
        http.post(format!("{}/assistants", server.url()))
            .bearer_auth(KEY)
            .json(&json!({"model": "m"})),
    )
    .await;
    let body = http
        .post(format!("{}/threads/runs", server.url()))
        .bearer_auth(KEY)
        .json(&json!({
            "assistant_id": assistant["id"],
            "thread": {"messages": [{"role": "user", "content": "Hi"}]},
            "stream": true,
        }))
        .send()
        .await
        .expect("a stream")
        .text()
        .await
        .expect("the stream's end");
    let events = events(&body);
    let error = events
        .iter()
        .find(|(name, _)| name == "error")
        .map(|(_, data)| data.clone());
    assert_eq!(
        error,
        Some(
            json!({"message": "the store failed: disk full", "type": "server_error", "param": null, "code": null})
        )
    );
    let (_, run) = events
        .iter()
        .find(|(name, _)| name == "thread.run.completed")
        .expect("the run completed");
    let thread = run["thread_id"].as_str().unwrap_or_default();
    // Neither the reply nor its step was kept: they were one transaction.
    let (_, messages) = send(
        http.get(format!("{}/threads/{thread}/messages", server.url()))
            .bearer_auth(KEY),
    )
    .await;
    let roles: Vec<&Value> = messages["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| &m["role"])
        .collect();
    assert_eq!(roles, [&json!("user")]);
    let (_, steps) = send(
        http.get(format!(
            "{}/threads/{thread}/runs/{}/steps",
            server.url(),
            run["id"].as_str().unwrap_or_default()
        ))
        .bearer_auth(KEY),
    )
    .await;
    assert_eq!(steps["data"], json!([]));
    server.shutdown().await.expect("the server stops");
}
