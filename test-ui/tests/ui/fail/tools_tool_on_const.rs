// #[tool] on an associated constant of a #[tools] impl.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store {
    /// The most items.
    #[tool]
    const MAX: usize = 10;

    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
