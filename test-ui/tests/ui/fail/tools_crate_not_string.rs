// `#[tools(crate = ...)]` takes a string too.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools(crate = tool_runtime)]
impl Store {
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
