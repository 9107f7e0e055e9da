// Two #[tool] methods of one impl with the same tool name.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }

    /// Count the items, again.
    #[tool(name = "count")]
    fn size(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
