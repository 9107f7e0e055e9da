// #[tools] on something other than an impl block.
use tool_runtime::tools;

#[tools]
pub struct Store(Vec<u8>);

fn main() {}
