// `crate` on a method of a #[tools] impl: the impl's `crate` is for all of its methods.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// Count the items.
    #[tool(crate = "::tool_runtime")]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
