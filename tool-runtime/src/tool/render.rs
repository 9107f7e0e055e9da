//! From a tool function's return value to the text the model reads.
//!
//! `String` goes as is, `()` as a short success text, anything `Serialize` as compact JSON,
//! and `Result<T, E: Display>` splits into those or an error. Rust has no specialization, so
//! the choice is made by method resolution on the concrete type at the expansion site
//! ("autoref specialization", as in anyhow's `anyhow!`): a trait implemented for the exact
//! type (`String`) is found before one implemented for `&T`, which needs an extra autoref.
//! The generated code calls `(&value).__tool_…_kind()` with all these traits in scope.

// Reached only through the hidden `__private` module.
#![allow(missing_docs)]

use std::borrow::Cow;
use std::fmt::Display;

use serde::Serialize;

use crate::tool::ToolError;

/// What a tool returns for `()`.
pub(crate) const UNIT_OUTPUT: &str = "ok";

#[derive(Debug)]
pub struct ResultTag;
#[derive(Debug)]
pub struct PlainTag;

impl ResultTag {
    #[inline]
    pub fn split<T, E: Display>(self, result: Result<T, E>) -> Result<T, ToolError> {
        // A `match`, not `map_err` and a closure: this is instantiated for each tool's
        // `Result`, and each closure would be one more function for the compiler.
        match result {
            Ok(value) => Ok(value),
            Err(error) => Err(ToolError::Failed(error.to_string())),
        }
    }
}

impl PlainTag {
    #[inline]
    pub fn split<T>(self, value: T) -> Result<T, ToolError> {
        Ok(value)
    }
}

pub trait ResultKind {
    fn __tool_result_kind(&self) -> ResultTag {
        ResultTag
    }
}
impl<T, E: Display> ResultKind for Result<T, E> {}

pub trait PlainKind {
    fn __tool_result_kind(&self) -> PlainTag {
        PlainTag
    }
}
// `T: Sized` matters: with `?Sized`, `&T` with `T = str` would match a `&str` value at the
// first probe step too, and the call would be ambiguous.
impl<T> PlainKind for &T {}

#[derive(Debug)]
pub struct TextTag;
#[derive(Debug)]
pub struct UnitTag;
#[derive(Debug)]
pub struct JsonTag;

impl TextTag {
    #[inline]
    pub fn render(self, text: impl Into<String>) -> Result<String, ToolError> {
        Ok(text.into())
    }
}

impl UnitTag {
    #[inline]
    pub fn render(self, (): ()) -> Result<String, ToolError> {
        Ok(UNIT_OUTPUT.to_owned())
    }
}

impl JsonTag {
    #[inline]
    pub fn render<T: ToolOutputValue>(self, value: T) -> Result<String, ToolError> {
        match serde_json::to_string(&value) {
            Ok(text) => Ok(text),
            Err(error) => Err(unserializable(&error)),
        }
    }
}

/// Not generic: the error text of an output that could not be serialized.
#[cold]
fn unserializable(error: &serde_json::Error) -> ToolError {
    ToolError::Failed(format!(
        "the tool's output could not be serialized: {error}"
    ))
}

pub trait StringKind {
    fn __tool_output_kind(&self) -> TextTag {
        TextTag
    }
}
impl StringKind for String {}
impl StringKind for &str {}
impl StringKind for Cow<'_, str> {}
impl StringKind for Box<str> {}

pub trait UnitKind {
    fn __tool_output_kind(&self) -> UnitTag {
        UnitTag
    }
}
impl UnitKind for () {}

pub trait JsonKind {
    fn __tool_output_kind(&self) -> JsonTag {
        JsonTag
    }
}
impl<T> JsonKind for &T {}

/// Values a tool can return besides `String` and `()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool's output",
    label = "this return type is not `String`, `()`, a `serde::Serialize` type, or `Result<T, E>` with `E: Display`",
    note = "add `#[derive(serde::Serialize)]` to the type, with `serde = {{ version = \"1\", features = [\"derive\"] }}` in your Cargo.toml's [dependencies]; or return `Result<T, E>` where `E` implements `std::fmt::Display`"
)]
pub trait ToolOutputValue: Serialize {}
// The error is this trait's message, not serde's trait by its internal path
// (`serde_core::ser::Serialize`) followed by a list of the types that implement it.
#[diagnostic::do_not_recommend]
impl<T: Serialize> ToolOutputValue for T {}
