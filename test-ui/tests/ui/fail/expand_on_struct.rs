// #[tool] on a struct.
use tool_runtime::tool;

/// A point.
#[tool]
struct Point {
    x: i32,
}

fn main() {
    let _ = Point { x: 1 }.x;
}
