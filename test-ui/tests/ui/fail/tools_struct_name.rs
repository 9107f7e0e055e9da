// A #[tools] method's struct is hidden: `struct_name` has nothing to name.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// Count the items.
    #[tool(struct_name = "CountTool")]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
