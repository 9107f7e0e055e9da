// `struct_name = "..."` names the generated struct, here because the function's name in
// UpperCamelCase, `Report`, is the type it returns. The tool's name is still the function's;
// a type named through a module (`models::Summary`) does not clash with `Summary`.
use tool_runtime::{tool, Tool, ToolRegistry};

/// A report.
#[derive(serde::Serialize)]
pub struct Report {
    /// Its lines.
    pub lines: u32,
}

mod models {
    /// A summary.
    #[derive(serde::Serialize)]
    pub struct Summary {
        /// How many.
        pub count: u32,
    }
}

/// Make a report.
#[tool(struct_name = "ReportTool")]
fn report() -> Report {
    Report { lines: 1 }
}

/// Summarize.
#[tool]
fn summary() -> models::Summary {
    models::Summary { count: 2 }
}

fn main() {
    assert_eq!(ReportTool::NAME, "report");
    assert_eq!(ReportTool.definition().name(), "report");
    assert_eq!(report().lines, 1);
    assert_eq!(Summary::NAME, "summary");

    let mut registry = ToolRegistry::new();
    registry.register(ReportTool).unwrap();
    registry.register(Summary).unwrap();
}
