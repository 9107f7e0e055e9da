//! The `mcp_client` example's command line (`examples::mcp_cli`), against our own MCP
//! server on loopback: what `list` prints is the export of the server's tools, `call`
//! answers as the registry does, and bad command lines say what is wrong.

use examples::mcp_cli::{self, Command};
use tool_runtime::format::SchemaForm;
use tool_runtime::mcp::McpServer;
use tool_runtime::{ToolFormat, ToolOutput};

use crate::support::city_tools;

fn args(line: &[&str]) -> Vec<String> {
    line.iter().map(|word| (*word).to_owned()).collect()
}

#[tokio::test]
async fn list_prints_the_export_and_call_prints_the_output() {
    let server = McpServer::new(city_tools::registry())
        .serve_http(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let options = mcp_cli::parse(args(&[
        "--http",
        &server.url(),
        "--prefix",
        "city_",
        "--deny",
        "get_nickname",
        "list",
        "--format",
        "gemini",
        "--plain",
    ]))
    .unwrap();
    assert_eq!(
        options.command,
        Command::List {
            format: ToolFormat::Gemini,
            form: SchemaForm::Plain
        }
    );
    let tools = options.source.connect().await.unwrap();
    let printed = mcp_cli::list(&tools, ToolFormat::Gemini, SchemaForm::Plain);
    let (json, report) = printed.rsplit_once('\n').unwrap();
    let mut expected = city_tools::registry();
    expected.remove("get_nickname");
    let mut expected = expected.export_with(ToolFormat::Gemini, SchemaForm::Plain);
    expected[0]["functionDeclarations"][0]["name"] = "city_get_current_weather".into();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(json).unwrap(),
        expected
    );
    assert_eq!(
        report,
        "MCP server `tool-runtime`: 1 tool(s) registered, 1 left out by the filter"
    );

    let output = mcp_cli::call(
        &tools,
        "city_get_current_weather",
        r#"{"location": "Paris"}"#,
    )
    .await;
    assert_eq!(
        serde_json::to_string(&output).unwrap(),
        r#"{"tool_call_id":"call_1","content":"Paris: 72 F","is_error":false}"#
    );
    let output: ToolOutput = mcp_cli::call(&tools, "get_nickname", "{}").await;
    assert_eq!(
        output.content,
        "unknown tool `get_nickname`; available tools: `city_get_current_weather`"
    );
    tools.close().await;
    server.shutdown().await.unwrap();
}

#[test]
fn command_lines_are_read_as_a_shell_would_and_mistakes_are_named() {
    let options = mcp_cli::parse(args(&[
        "--stdio",
        "python3 'my server.py' --flag",
        "call",
        "echo",
        r#"{"text": "hi"}"#,
    ]))
    .unwrap();
    assert_eq!(
        options.command,
        Command::Call {
            name: "echo".into(),
            arguments: r#"{"text": "hi"}"#.into()
        }
    );
    assert!(format!("{:?}", options.source)
        .contains(r#"program: "python3", args: ["my server.py", "--flag"]"#));
    let error = |line: &[&str]| mcp_cli::parse(args(line)).unwrap_err();
    assert_eq!(
        error(&["list"]),
        "say where the server is: --stdio 'COMMAND ARGS' or --http URL"
    );
    assert_eq!(
        error(&["--http", "http://x"]),
        "say what to do: list, call or chat"
    );
    assert_eq!(
        error(&["--stdio", "'unclosed", "list"]),
        "--stdio: missing closing quote"
    );
    assert_eq!(
        error(&["--http", "http://x", "list", "--format", "claude"]),
        "unknown tool format `claude`; use one of openai-chat, openai-responses, anthropic, gemini, gemini-openapi, mcp"
    );
    assert_eq!(error(&["--http"]), "--http needs a URL");
    assert_eq!(
        error(&["--http", "http://x", "--header", "nocolon", "list"]),
        "--header needs 'NAME: VALUE'"
    );
}

#[test]
fn header_values_are_not_shown_in_debug_output() {
    let options = mcp_cli::parse(args(&[
        "--http",
        "http://127.0.0.1:1/mcp",
        "--header",
        "Authorization: Bearer secret-token",
        "list",
    ]))
    .unwrap();
    let shown = format!("{:?}", options.source);
    assert!(shown.contains(r#"headers: ["Authorization"]"#), "{shown}");
    assert!(!shown.contains("secret-token"), "{shown}");
}
