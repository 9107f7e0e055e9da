//! The in-process tests, one module per subject.

mod agreement;
mod anthropic_client;
mod dispatch;
mod formats;
mod formats_round_trip;
mod fuzz_properties;
mod local_model_script;
mod mcp_limits;
mod mcp_rmcp;
mod mcp_typescript;
mod methods;
mod openai_client;
mod openai_responses;
mod properties;
mod readme;
mod readme_errors;
mod run;
mod runtime_tools;
mod schemas;
mod sse_properties;
mod task_planner;
mod text_calls;
mod tools_cli;
mod typed_outputs;
mod validate;
mod weather;
