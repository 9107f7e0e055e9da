//! The tools the examples run, shared with the tests (`test-suite`) so that they test
//! exactly the code the examples run:
//!
//! - [`tasks`]: the task planner's SQLite store, its `#[tools]`, and the logic of its
//!   subcommands (`examples/task_planner/main.rs`, `examples/mcp_server.rs`);
//! - [`weather`]: the weather bot's tools (`examples/weather.rs`);
//! - [`tools_cli`]: the `tools` example's command line (`examples/tools.rs`);
//! - [`mcp_cli`]: the `mcp_client` example's command line (`examples/mcp_client.rs`);
//! - [`eval_cli`]: the `eval` example's command line and run (`examples/eval.rs`);
//! - [`upstream`]: which model the task planner and the Assistants server talk to.

pub mod eval_cli;
pub mod mcp_cli;
pub mod tasks;
pub mod tools_cli;
pub mod upstream;
pub mod weather;
