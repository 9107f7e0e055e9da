// A parameter under `#[cfg(...)]`.
use tool_runtime::tool;

/// Search the notes.
///
/// # Arguments
/// * `query` - What to look for.
/// * `limit` - At most this many notes.
#[tool]
fn search(query: String, #[cfg(test)] limit: u32) -> Vec<String> {
    vec![query]
}

fn main() {}
