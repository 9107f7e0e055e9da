// #[tool] on a method declared in a trait.
use tool_runtime::tool;

pub trait Counter {
    /// Read the counter.
    #[tool]
    fn read(&self) -> u32;
}

fn main() {}
