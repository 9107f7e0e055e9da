// #[tools] on a trait impl.
use tool_runtime::tools;

pub struct Store(Vec<u8>);

pub trait Count {
    fn count(&self) -> usize;
}

#[tools]
impl Count for Store {
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
