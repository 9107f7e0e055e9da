// A generic #[tool] method.
use tool_runtime::tools;

pub struct Store(Vec<String>);

#[tools]
impl Store {
    /// Count the items that equal a value.
    ///
    /// # Arguments
    /// * `value` - The value.
    #[tool]
    fn count<T: ToString>(&self, value: T) -> usize {
        let value = value.to_string();
        self.0.iter().filter(|item| **item == value).count()
    }
}

fn main() {}
