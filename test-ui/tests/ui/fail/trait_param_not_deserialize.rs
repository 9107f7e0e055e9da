// A parameter type that is neither `Deserialize` nor `JsonSchema`.
use tool_runtime::tool;

pub struct Point {
    pub x: i32,
}

/// Move a point.
///
/// # Arguments
/// * `point` - The point.
#[tool]
fn shift(point: Point) -> i32 {
    point.x + 1
}

fn main() {}
