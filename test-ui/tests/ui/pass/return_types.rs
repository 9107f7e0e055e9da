// Return types: `String`, `&'static str`, `()`, a `Serialize` struct, `Result<T, E: Display>`,
// `Result<(), E>`, `Cow<'static, str>`, and `Result` aliases (`io::Result<T>`, an alias without
// parameters).
use std::borrow::Cow;
use std::fmt;

use tool_runtime::{tool, ToolCall, ToolRegistry};

#[derive(serde::Serialize)]
pub struct Point {
    x: i32,
    y: i32,
}

#[derive(Debug)]
pub struct Refused(&'static str);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}

/// A `String`.
#[tool]
fn owned() -> String {
    "owned".to_owned()
}

/// A `&'static str`.
#[tool]
fn borrowed() -> &'static str {
    "borrowed"
}

/// Nothing.
#[tool]
fn unit() {}

/// A struct.
#[tool]
fn a_point() -> Point {
    Point { x: 1, y: 2 }
}

/// A result.
///
/// # Arguments
/// * `ok` - Whether to succeed.
#[tool]
fn fallible(ok: bool) -> Result<Point, Refused> {
    if ok {
        Ok(Point { x: 3, y: 4 })
    } else {
        Err(Refused("not today"))
    }
}

/// A result without a value.
///
/// # Arguments
/// * `ok` - Whether to succeed.
#[tool]
fn unit_result(ok: bool) -> Result<(), Refused> {
    if ok {
        Ok(())
    } else {
        Err(Refused("no"))
    }
}

/// A text result.
#[tool]
fn text_result() -> Result<String, Refused> {
    Ok("fine".to_owned())
}

/// A `Cow`.
#[tool]
fn cow_text() -> Cow<'static, str> {
    Cow::Borrowed("cow")
}

/// An `io::Result`.
///
/// # Arguments
/// * `ok` - Whether to succeed.
#[tool]
fn io_result(ok: bool) -> std::io::Result<u32> {
    if ok {
        Ok(7)
    } else {
        Err(std::io::Error::other("disk full"))
    }
}

type Verdict = Result<String, Refused>;

/// An alias of a `Result`.
#[tool]
fn outcome() -> Verdict {
    Err(Refused("aliased"))
}

fn main() {
    let mut registry = ToolRegistry::new();
    registry
        .register(Owned)
        .unwrap()
        .register(Borrowed)
        .unwrap()
        .register(Unit)
        .unwrap()
        .register(APoint)
        .unwrap()
        .register(Fallible)
        .unwrap()
        .register(UnitResult)
        .unwrap()
        .register(TextResult)
        .unwrap()
        .register(CowText)
        .unwrap()
        .register(IoResult)
        .unwrap()
        .register(Outcome)
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let call = |name: &str, arguments: &str| {
        let output = runtime.block_on(registry.dispatch(&ToolCall::new("1", name, arguments)));
        (output.is_error, output.content)
    };
    assert_eq!(call("owned", "{}"), (false, "owned".to_owned()));
    assert_eq!(call("borrowed", "{}"), (false, "borrowed".to_owned()));
    assert_eq!(call("unit", "{}"), (false, "ok".to_owned()));
    assert_eq!(
        call("a_point", "{}"),
        (false, r#"{"x":1,"y":2}"#.to_owned())
    );
    assert_eq!(
        call("fallible", r#"{"ok": true}"#),
        (false, r#"{"x":3,"y":4}"#.to_owned())
    );
    assert_eq!(
        call("fallible", r#"{"ok": false}"#),
        (true, "refused: not today".to_owned())
    );
    assert_eq!(
        call("unit_result", r#"{"ok": true}"#),
        (false, "ok".to_owned())
    );
    assert_eq!(
        call("unit_result", r#"{"ok": false}"#),
        (true, "refused: no".to_owned())
    );
    assert_eq!(call("text_result", "{}"), (false, "fine".to_owned()));
    assert_eq!(call("cow_text", "{}"), (false, "cow".to_owned()));
    assert_eq!(
        call("io_result", r#"{"ok": true}"#),
        (false, "7".to_owned())
    );
    assert_eq!(
        call("io_result", r#"{"ok": false}"#),
        (true, "disk full".to_owned())
    );
    assert_eq!(call("outcome", "{}"), (true, "refused: aliased".to_owned()));
}
