// A #[tools] impl with a `where` clause.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

#[tools]
impl Store
where
    Store: Send,
{
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
