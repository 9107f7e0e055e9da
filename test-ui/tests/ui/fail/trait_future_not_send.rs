// An async tool whose future is not `Send` (an `Rc` held across an await).
use std::rc::Rc;

use tool_runtime::tool;

async fn pause() {}

/// Count to one.
#[tool]
async fn count() -> usize {
    let shared = Rc::new(1);
    pause().await;
    *shared
}

fn main() {}
