// The three `# Arguments` bullet styles, a wrapped item, and `///` on a parameter.
use tool_runtime::{tool, Tool};

/// Book a table.
///
/// # Arguments
/// * `restaurant` - The restaurant's name.
/// * guests - How many people,
///   including the one booking.
/// - `time`: When, as `HH:MM`.
#[tool]
fn book(
    restaurant: String,
    guests: u32,
    time: String,
    /// A note for the staff.
    note: Option<String>,
) -> String {
    format!("{restaurant} {guests} {time} {note:?}")
}

fn main() {
    let definition = Book.definition();
    assert_eq!(definition.description(), "Book a table.");
    let properties = &definition.parameters()["properties"];
    assert_eq!(
        properties["restaurant"]["description"],
        "The restaurant's name."
    );
    assert_eq!(
        properties["guests"]["description"],
        "How many people, including the one booking."
    );
    assert_eq!(properties["time"]["description"], "When, as `HH:MM`.");
    assert_eq!(properties["note"]["description"], "A note for the staff.");
}
