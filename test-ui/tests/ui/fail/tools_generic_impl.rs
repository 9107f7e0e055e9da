// A generic #[tools] impl.
use tool_runtime::tools;

pub struct Store<T>(Vec<T>);

#[tools]
impl<T: Send + Sync + 'static> Store<T> {
    /// Count the items.
    #[tool]
    fn count(&self) -> usize {
        self.0.len()
    }
}

fn main() {}
