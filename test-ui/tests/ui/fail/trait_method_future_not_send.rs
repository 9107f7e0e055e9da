// An async #[tool] method whose future is not `Send` (an `Rc` held across an await).
use std::rc::Rc;

use tool_runtime::tools;

async fn pause() {}

pub struct Counter(usize);

#[tools]
impl Counter {
    /// Count to one.
    #[tool]
    async fn count(&self) -> usize {
        let shared = Rc::new(self.0);
        pause().await;
        *shared
    }
}

fn main() {}
