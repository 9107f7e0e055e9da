// `register_all` of a value whose type has no #[tools] impl.
use tool_runtime::ToolRegistry;

pub struct Store(Vec<u8>);

fn main() {
    ToolRegistry::new().register_all(Store(Vec::new())).unwrap();
}
