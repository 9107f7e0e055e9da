// A #[tool] function without `self` in a #[tools] impl.
use tool_runtime::tools;

pub struct Counter(u32);

#[tools]
impl Counter {
    /// Read the counter.
    #[tool]
    fn read(&self) -> u32 {
        self.0
    }

    /// Say hello.
    ///
    /// # Arguments
    /// * `name` - Who to greet.
    #[tool]
    fn hello(name: String) -> String {
        format!("Hello, {name}!")
    }
}

fn main() {}
