use serde::Serialize;
use tool_runtime::{tool, Json};

#[derive(Serialize)]
struct Summary {
    lines: u32,
}

/// Make a report.
#[tool]
fn report() -> Json<Summary> {
    Json(Summary { lines: 1 })
}

fn main() {}
