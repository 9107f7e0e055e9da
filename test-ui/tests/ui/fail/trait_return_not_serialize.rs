// A return type that is not `Serialize`.
use tool_runtime::tool;

pub struct Point {
    pub x: i32,
}

/// Make a point.
#[tool]
fn origin() -> Point {
    Point { x: 0 }
}

fn main() {}
