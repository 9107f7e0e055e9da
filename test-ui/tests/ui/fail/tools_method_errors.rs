// Mistakes in #[tool] methods are the free functions' compile errors, all reported, and
// the rest of the code (a call of the method, `register_all`) is not an error too.
use tool_runtime::{tools, ToolRegistry};

pub struct Store(Vec<String>);

#[tools]
impl Store {
    /// Count the items that equal a value.
    #[tool]
    fn count(&self, value: String) -> usize {
        self.0.iter().filter(|item| **item == value).count()
    }

    /// Find an item.
    #[tool(fast)]
    fn find(&self) -> Option<String> {
        self.0.first().cloned()
    }

    /// Add an item.
    ///
    /// # Arguments
    /// * `item` - The item.
    #[tool]
    fn add(&self, item: &str) -> usize {
        item.len()
    }
}

fn main() {
    let store = Store(Vec::new());
    assert_eq!(store.count("x".into()), 0);
    ToolRegistry::new().register_all(store).unwrap();
}
