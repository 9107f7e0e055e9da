// `strict`, `strict = true` and `strict = false`; without the option, strictness is automatic.
use tool_runtime::{tool, Tool};
use tool_runtime::tool::Strictness;

/// Strict.
#[tool(strict)]
fn on() {}

/// Strict, spelled out.
#[tool(strict = true)]
fn on_too() {}

/// Never strict.
#[tool(strict = false)]
fn off() {}

/// Strict when it can be.
#[tool]
fn auto() {}

fn main() {
    assert_eq!(On.definition().strictness(), Strictness::On);
    assert_eq!(OnToo.definition().strictness(), Strictness::On);
    assert_eq!(Off.definition().strictness(), Strictness::Off);
    assert!(!Off.definition().is_strict());
    assert_eq!(Auto.definition().strictness(), Strictness::Auto);
    assert!(Auto.definition().is_strict());
}
