// Every marker: `destructive`, `needs_approval`, `read_only`, `idempotent`, `open_world`.
use tool_runtime::{tool, Tool};
use tool_runtime::tool::ToolMarkers;

/// Delete a file.
#[tool(destructive)]
fn delete() {}

/// Send an email.
#[tool(needs_approval)]
fn send() {}

/// Read a file.
#[tool(read_only)]
fn read() {}

/// Set a value.
#[tool(idempotent)]
fn set() {}

/// Search the web.
#[tool(open_world)]
fn search() {}

/// Fetch a page, again and again.
#[tool(read_only, idempotent, open_world)]
fn fetch() {}

/// Do nothing.
#[tool]
fn nothing() {}

fn main() {
    let none = ToolMarkers::default();
    assert_eq!(
        *Delete.definition().markers(),
        ToolMarkers {
            destructive: true,
            ..none
        }
    );
    assert!(Delete.definition().markers().needs_approval());
    assert_eq!(
        *Send.definition().markers(),
        ToolMarkers {
            requires_approval: true,
            ..none
        }
    );
    assert!(Send.definition().markers().needs_approval());
    assert_eq!(
        *Read.definition().markers(),
        ToolMarkers {
            read_only: true,
            ..none
        }
    );
    assert_eq!(
        *Set.definition().markers(),
        ToolMarkers {
            idempotent: true,
            ..none
        }
    );
    assert_eq!(
        *Search.definition().markers(),
        ToolMarkers {
            open_world: true,
            ..none
        }
    );
    assert_eq!(
        *Fetch.definition().markers(),
        ToolMarkers {
            read_only: true,
            idempotent: true,
            open_world: true,
            ..none
        }
    );
    assert_eq!(*Nothing.definition().markers(), none);
    assert!(!Nothing.definition().markers().needs_approval());
}
