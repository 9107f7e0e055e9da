//! Prints an example's tools in any provider's format, checks them against the
//! provider's rules, or prints the snapshot the drift check compares with: for CI, or to
//! see what a model is given.
//!
//! ```text
//! cargo run --example tools -- task_planner --format anthropic
//! cargo run --example tools -- weather --format gemini --plain
//! cargo run --example tools -- task_planner --check
//! cargo run --example tools -- weather --snapshot
//! ```

use std::process::ExitCode;

use examples::tools_cli::{parse, run, USAGE};

fn main() -> ExitCode {
    let outcome = parse(std::env::args().skip(1)).and_then(|options| run(&options));
    match outcome {
        Ok((text, ok)) => {
            println!("{text}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("{error}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
