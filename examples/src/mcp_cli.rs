//! The `mcp_client` example's command line (`examples/mcp_client.rs`): any MCP server's
//! tools, listed as they would be exported, called one at a time, or given to the
//! assistant loop.

use std::time::Duration;

use tool_runtime::format::SchemaForm;
use tool_runtime::mcp_client::{McpSource, McpTools};
use tool_runtime::{ToolCall, ToolFormat, ToolOutput, ToolRegistry};

/// How to use it.
pub const USAGE: &str = "\
Usage: mcp_client (--stdio 'COMMAND ARGS' | --http URL [--header 'NAME: VALUE']...)
                  [--prefix P] [--allow A,B] [--deny A,B] [--timeout SECONDS] COMMAND

  list [--format F] [--plain]  the server's tools as they would be exported: F is
                               openai-chat (default), openai-responses, anthropic,
                               gemini, gemini-openapi, mcp; then what was refused
  call NAME 'JSON'             one call; prints its output as a JSON line
  chat \"MESSAGE\"               the assistant loop with the server's tools, against
                               OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL (or the
                               local model of scripts/local-model.sh when neither of the
                               first two is set); tools that are not read-only are
                               confirmed on the terminal";

/// What the command line asks for.
#[derive(Debug)]
pub struct Options {
    /// The server, and how to treat its tools.
    pub source: McpSource,
    /// What to do.
    pub command: Command,
}

/// What to do with the server's tools.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Print them.
    List {
        /// In this format.
        format: ToolFormat,
        /// In this form.
        form: SchemaForm,
    },
    /// Call one.
    Call {
        /// Its name.
        name: String,
        /// The arguments, as JSON text.
        arguments: String,
    },
    /// Run the assistant loop on a message.
    Chat {
        /// The user's message.
        message: String,
    },
}

/// Reads the arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut args = args.into_iter();
    let mut source: Option<McpSource> = None;
    let mut headers = Vec::new();
    let mut adjust: Vec<Box<dyn FnOnce(McpSource) -> McpSource>> = Vec::new();
    let mut command = None;
    let list = |value: String| -> Vec<String> {
        value
            .split(',')
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect()
    };
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--stdio" => {
                let line = value("a command")?;
                let words = shell_words::split(&line).map_err(|e| format!("--stdio: {e}"))?;
                let (program, rest) = words.split_first().ok_or("--stdio needs a command")?;
                source = Some(McpSource::stdio(program, rest.iter().cloned()));
            }
            "--http" => source = Some(McpSource::http(value("a URL")?)),
            "--header" => {
                let header = value("'NAME: VALUE'")?;
                let (name, text) = header
                    .split_once(':')
                    .ok_or("--header needs 'NAME: VALUE'")?;
                headers.push((name.trim().to_owned(), text.trim().to_owned()));
            }
            "--prefix" => {
                let prefix = value("a prefix")?;
                adjust.push(Box::new(move |source| source.with_prefix(prefix)));
            }
            "--allow" => {
                let names = list(value("names")?);
                adjust.push(Box::new(move |source| source.allow(names)));
            }
            "--deny" => {
                let names = list(value("names")?);
                adjust.push(Box::new(move |source| source.deny(names)));
            }
            "--timeout" => {
                let seconds: u64 = value("seconds")?
                    .parse()
                    .map_err(|_| "--timeout needs whole seconds")?;
                adjust.push(Box::new(move |source| {
                    source.with_call_timeout(Duration::from_secs(seconds))
                }));
            }
            "list" => {
                let (mut format, mut form) = (ToolFormat::OpenAiChat, SchemaForm::Declared);
                while let Some(option) = args.next() {
                    match option.as_str() {
                        "--format" => {
                            let name = args.next().ok_or("--format needs a FORMAT")?;
                            format = name.parse().map_err(|e| format!("{e}"))?;
                        }
                        "--plain" => form = SchemaForm::Plain,
                        other => return Err(format!("list: unknown option `{other}`")),
                    }
                }
                command = Some(Command::List { format, form });
            }
            "call" => {
                let name = args.next().ok_or("call needs a tool NAME")?;
                let arguments = args.next().unwrap_or_default();
                command = Some(Command::Call { name, arguments });
            }
            "chat" => {
                let message = args.next().ok_or("chat needs a MESSAGE")?;
                command = Some(Command::Chat { message });
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut source =
        source.ok_or("say where the server is: --stdio 'COMMAND ARGS' or --http URL")?;
    for (name, text) in headers {
        source = source.with_header(name, text);
    }
    for change in adjust {
        source = change(source);
    }
    let command = command.ok_or("say what to do: list, call or chat")?;
    Ok(Options { source, command })
}

/// The server's tools in a registry (the default checks), and the import's report.
pub fn registry(tools: &McpTools) -> (ToolRegistry, String) {
    let mut registry = ToolRegistry::new();
    let report = tools.register_into(&mut registry);
    (registry, report.to_string())
}

/// `list`: the export, pretty, then the report.
pub fn list(tools: &McpTools, format: ToolFormat, form: SchemaForm) -> String {
    let (registry, report) = registry(tools);
    let export = registry.export_with(format, form);
    format!(
        "{}\n{report}",
        serde_json::to_string_pretty(&export).unwrap_or_else(|e| e.to_string())
    )
}

/// `call`: the output, as the JSON line the weather example prints.
pub async fn call(tools: &McpTools, name: &str, arguments: &str) -> ToolOutput {
    let (registry, _) = registry(tools);
    registry
        .dispatch(&ToolCall::new("call_1", name, arguments))
        .await
}
