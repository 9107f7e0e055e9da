// `Result<T, E>` where `E` is not `Display`.
use tool_runtime::tool;

#[derive(Debug)]
pub struct Failure;

/// Try something.
#[tool]
fn attempt() -> Result<String, Failure> {
    Err(Failure)
}

fn main() {}
