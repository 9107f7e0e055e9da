// A `State<T>` parameter whose `T` is not `Send + Sync`.
use std::rc::Rc;

use tool_runtime::{tool, State};

/// Read the value.
#[tool]
fn read(value: State<Rc<u32>>) -> u32 {
    **value
}

fn main() {}
