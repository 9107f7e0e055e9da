// A #[tool] method taking `self` by value: the value stays in the registry.
use tool_runtime::tools;

pub struct Counter(u32);

#[tools]
impl Counter {
    /// Read the counter.
    #[tool]
    fn read(self) -> u32 {
        self.0
    }
}

fn main() {}
