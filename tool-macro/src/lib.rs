//! The `#[tool]` and `#[tools]` attributes. Use them through `tool_runtime`, which
//! re-exports them.
//!
//! A pipeline in the manner of serde_derive and thiserror: [`attr`] and [`ast`] parse the
//! attribute and the function, [`docs`] reads the doc comment, [`valid`] checks what the
//! parse cannot, and [`expand`] writes the code. Every stage reports problems as
//! `syn::Error`s at the offending token; all of them are reported together.

mod ast;
mod attr;
mod docs;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// Makes a documented function a tool: keeps the function as written and adds a unit
/// struct (the function's name in UpperCamelCase) implementing `tool_runtime::Tool`.
///
/// Options: `name = "..."`, `description = "..."`, `strict` / `strict = false`,
/// `destructive`, `needs_approval`, `read_only`, `idempotent`, `open_world`,
/// `allow_missing_docs`. On a parameter: `#[tool(default)]` or `#[tool(default = expr)]`.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::tool(args.into(), input.into()).into()
}

/// Makes the `#[tool]` methods of an impl block tools of one value: each takes `&self`, and
/// the type implements `tool_runtime::ToolSet`, so `registry.register_all(value)` registers
/// all of them, sharing the value. The block is kept as written.
///
/// A method's `#[tool(...)]` takes the options of a free function's, and its parameters
/// the same attributes. Methods without `#[tool]` are left alone.
#[proc_macro_attribute]
pub fn tools(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::tools(args.into(), input.into()).into()
}
