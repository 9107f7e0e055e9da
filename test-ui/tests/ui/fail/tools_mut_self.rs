// A #[tool] method taking `&mut self`: calls share the value.
use tool_runtime::tools;

pub struct Counter(u32);

#[tools]
impl Counter {
    /// Count one more.
    #[tool]
    fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn main() {}
