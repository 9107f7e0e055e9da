// A doc comment #[tool] cannot read (not a string literal), and no `description`.
use tool_runtime::tool;

#[doc = concat!("Get the weather", " in a city.")]
#[tool]
fn get_weather(
    /// The city.
    city: String,
) -> String {
    city
}

fn main() {}
