// #[tool = ...] on a method.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// Count the items.
    #[tool = "count_items"]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
