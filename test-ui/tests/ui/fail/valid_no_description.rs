// No doc comment and no `description`.
use tool_runtime::tool;

#[tool]
fn get_weather() -> String {
    "sunny".into()
}

fn main() {}
