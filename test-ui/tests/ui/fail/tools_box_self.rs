// A #[tool] method taking `self: Box<Self>`: each call is lent `&self`.
use tool_runtime::tools;

pub struct Counter(u32);

#[tools]
impl Counter {
    /// Read the counter.
    #[tool]
    fn read(self: Box<Self>) -> u32 {
        self.0
    }
}

fn main() {}
