// The struct #[tool] generates for `report`, `Report`, clashes with a type the signature does
// not name, which the macro cannot see: the compiler's E0428 points at the function's name
// (whose UpperCamelCase the struct's is). The compiler resolves `Report` to the user's type,
// so the struct's written-out `Default` is also checked against it (E0308, "found a
// different `Report`"): a follow-up left, the fix for both being
// #[tool(struct_name = "...")].
use serde::Serialize;
use tool_runtime::tool;

#[derive(Serialize)]
pub struct Report {
    pub lines: u32,
}

/// Count the lines of a report.
#[tool]
fn report() -> u32 {
    Report { lines: 1 }.lines
}

fn main() {}
