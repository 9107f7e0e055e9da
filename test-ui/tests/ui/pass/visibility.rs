// `pub`, `pub(crate)` and private tools: the struct gets the function's visibility.
mod tools {
    use tool_runtime::{tool, Tool};

    /// A public tool.
    #[tool]
    pub fn public() -> &'static str {
        "public"
    }

    /// A crate-visible tool.
    #[tool]
    pub(crate) fn crate_visible() -> &'static str {
        "crate"
    }

    /// A private tool.
    #[tool]
    fn private() -> &'static str {
        "private"
    }

    pub fn private_name() -> &'static str {
        assert_eq!(private(), "private");
        Private::NAME
    }
}

use tool_runtime::Tool;

fn main() {
    assert_eq!(tools::Public::NAME, "public");
    assert_eq!(tools::CrateVisible::NAME, "crate_visible");
    assert_eq!(tools::private_name(), "private");
    assert_eq!(tools::public(), "public");
    assert_eq!(tools::crate_visible(), "crate");
}
