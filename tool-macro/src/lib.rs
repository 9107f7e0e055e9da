//! The `#[tool]` and `#[tools]` attributes. Use them through `tool_runtime`, which
//! re-exports them.

// A pipeline in the manner of serde_derive and thiserror: `attr` and `ast` parse the
// attributes and the function, `docs` reads the doc comment, `valid` checks what the parse
// cannot, and `expand` writes the code. Every stage reports problems to one `ctxt::Ctxt`,
// as `syn::Error`s at the offending tokens; they are all reported together.

mod ast;
mod attr;
mod ctxt;
mod docs;
mod expand;
mod suggest;
mod valid;

use proc_macro::TokenStream;

#[doc = include_str!("../docs/tool.md")]
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::tool(args.into(), input.into()).into()
}

#[doc = include_str!("../docs/tools.md")]
#[proc_macro_attribute]
pub fn tools(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::tools(args.into(), input.into()).into()
}
