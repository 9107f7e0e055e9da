// A #[tools] impl without a #[tool] method.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// Count the items.
    pub fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
