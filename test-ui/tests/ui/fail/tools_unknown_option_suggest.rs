// A misspelled option of #[tools]: the error says which was meant.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools(crat = "::tool_runtime")]
impl Store {
    /// Count the items.
    #[tool(read_olny)]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
