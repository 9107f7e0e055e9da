// A #[tools] type that cannot be shared between threads.
use std::cell::Cell;

use tool_runtime::tools;

pub struct Counter(Cell<u32>);

#[tools]
impl Counter {
    /// Count one more.
    #[tool]
    fn bump(&self) -> u32 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

fn main() {}
