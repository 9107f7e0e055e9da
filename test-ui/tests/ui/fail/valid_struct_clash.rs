// The struct #[tool] generates for `report` is `Report`, the name of the type the function
// returns: reported by the macro, at the type, with the option that names the struct. The
// clash is found inside a type too (`Vec<Summaries>`), and with other errors in the tool.
use serde::Serialize;
use tool_runtime::tool;

#[derive(Serialize)]
pub struct Report {
    pub lines: u32,
}

/// Make a report.
#[tool]
fn report() -> Report {
    Report { lines: 1 }
}

#[derive(Serialize)]
pub struct Summaries {
    pub count: u32,
}

/// Summarize reports.
#[tool(destructive, read_only)]
fn summaries(reports: Vec<Report>) -> Vec<Summaries> {
    vec![Summaries { count: reports.len() as u32 }]
}

fn main() {
    let _ = report();
}
