// #[tool] on a method (`&self`) of an impl block without #[tools].
use tool_runtime::tool;

struct Counter(u32);

impl Counter {
    /// Read the counter.
    #[tool]
    fn read(&self) -> u32 {
        self.0
    }
}

fn main() {}
