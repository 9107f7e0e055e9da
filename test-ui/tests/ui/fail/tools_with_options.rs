// Options on #[tools] itself.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools(read_only)]
impl Store {
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
