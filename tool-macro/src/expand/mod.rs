//! Writes the code: the entry points of `#[tool]` and `#[tools]`, which run the stages in
//! order and hand what they read to the code generators, or, when a stage reported an error,
//! to [`fallback`].
//!
//! What each generator writes:
//! - [`params`]: the arguments struct the model's JSON is parsed into, the parameters'
//!   schema, and the values of the parameters the model does not fill in;
//! - [`deserialize`]: the arguments struct's `Deserialize`, written out rather than derived
//!   (see [`unmarked`]);
//! - [`output`]: turning the function's return value into the tool's output;
//! - [`tool_impl`]: the `Tool` impl, made of the two above ([`waits`]: whether an `async
//!   fn`'s body can wait, or is called in place like a sync function);
//! - [`methods`]: `#[tools]`, a tool per method and the impl's `ToolSet`;
//! - [`fallback`]: what stands for the tool when there is an error.
//!
//! Everything generated names the runtime through `<crate>::__private` (see [`Private`]),
//! and lives in a `const _: () = { ... };` block, so nothing but the tool's struct is added
//! to the user's namespace.

mod deserialize;
mod fallback;
mod methods;
mod output;
mod params;
mod tool_impl;
mod waits;

use heck::ToUpperCamelCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Item, ItemFn, Path};

use crate::ast::{self, Host, ToolFn};
use crate::attr::{default_crate, ToolAttr};
use crate::ctxt::Ctxt;
use crate::valid::{self, Checked};

pub(crate) use methods::tools;

/// `#[tool]` on a free function (or, by mistake, on a method outside `#[tools]`).
pub(crate) fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let Some(item) = read_fn(&cx, &input) else {
        return fallback::unexpanded(cx.check(), input);
    };
    let attr = ToolAttr::from_args(&cx, args, Host::Free);
    // The stub emitted on error names the runtime too: through the option when it was read.
    let krate = (attr.as_ref())
        .and_then(|attr| attr.krate.clone())
        .unwrap_or_else(default_crate);
    let struct_name = attr.as_ref().and_then(|attr| attr.struct_name.clone());
    let struct_ident = struct_ident(&item.sig.ident, struct_name.as_ref());
    // Checked on the function as written, before it is read: a clash is worth reporting
    // even when the rest has errors, and the stub emitted on error must not clash too. Not
    // reported when the options could not be read: a `struct_name` may be among them.
    let clash = valid::struct_clash(&struct_ident, &item.sig).filter(|_| !has_receiver(&item));
    if let (Some(clash), Some(_)) = (clash, &attr) {
        valid::report_struct_clash(&cx, &struct_ident, &item.sig.ident, clash);
    }
    let clashes = clash.is_some();
    let tool = ReadTool::read(&cx, attr, item.clone(), Host::Free);
    match (cx.check(), tool) {
        (Ok(()), Some(tool)) => free_fn(&tool, &struct_ident, &krate),
        (result, _) => {
            let stub_ident = (!clashes).then_some(&struct_ident);
            fallback::free_fn(result.err(), item, stub_ident, &krate)
        }
    }
}

/// One tool function, read and checked: everything the generators need.
pub(crate) struct ReadTool {
    pub(crate) attr: ToolAttr,
    pub(crate) tool: ToolFn,
    pub(crate) checked: Checked,
}

impl ReadTool {
    /// Reads the function and checks it with its options (`None` if they could not be
    /// read); `None` if either has an error, all of them reported to `cx`. The function is
    /// read even when its options could not be, so both are reported; the checks run only
    /// on what was read without errors, so that one mistake is not also reported as its
    /// consequences.
    fn read(cx: &Ctxt, attr: Option<ToolAttr>, item: ItemFn, host: Host<'_>) -> Option<Self> {
        let tool = ToolFn::from_ast(cx, item, host);
        let (attr, tool) = (attr?, tool?);
        let checked = valid::validate(cx, &attr, &tool)?;
        Some(ReadTool {
            attr,
            tool,
            checked,
        })
    }
}

/// The item under `#[tool]`, if it is a function with a body.
fn read_fn(cx: &Ctxt, input: &TokenStream) -> Option<ItemFn> {
    match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Fn(item)) => return Some(item),
        Ok(other) => match syn::parse2::<syn::TraitItemFn>(input.clone()) {
            // `fn f();`: in a trait, or a foreign function.
            Ok(declaration) if declaration.default.is_none() => cx.error_spanned_by(
                &declaration.sig,
                "#[tool] goes on a function with a body: the tool calls it; a trait method or a foreign function has none",
            ),
            _ => cx.error_at(
                item_keyword_span(&other),
                "#[tool] goes on a function (`fn` or `async fn`): the function's doc comment and signature become the tool",
            ),
        },
        Err(error) => cx.syn_error(error),
    }
    None
}

/// A free function's tool: the function as it was, its unit struct, and the struct's `Tool`
/// impl.
fn free_fn(read: &ReadTool, struct_ident: &Ident, krate: &Path) -> TokenStream {
    let item = &read.tool.item;
    let vis = &item.vis;
    let fn_name = ast::unraw(&item.sig.ident);
    let struct_doc = format!(
        "The `{}` tool: the definition and dispatcher of `{fn_name}`, generated by `#[tool]`.",
        read.checked.name
    );
    let body = tool_impl::tool_impl(read, struct_ident, Host::Free, Private(krate));
    // The struct's item at its name (the function's, or the `struct_name` string): when a
    // type of the user's that the macro cannot see has the name, the compiler's E0428
    // "defined multiple times" points there rather than at `#[tool]`.
    let struct_item = quote_spanned! {at(struct_ident.span())=>
        #[doc = #struct_doc]
        #vis struct #struct_ident;
    };
    // What `#[derive(Clone, Copy, Debug, Default)]` would write, written out: a derive is an
    // expansion of its own, whose items would be checked again after every edit above the
    // tool however they are spanned (see `unmarked`).
    let debug_name = ast::unraw(struct_ident);
    let struct_impls = quote! {
        #[automatically_derived]
        impl ::std::clone::Clone for #struct_ident {
            #[inline]
            fn clone(&self) -> Self {
                *self
            }
        }

        #[automatically_derived]
        impl ::std::marker::Copy for #struct_ident {}

        #[automatically_derived]
        impl ::std::fmt::Debug for #struct_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(#debug_name)
            }
        }

        #[automatically_derived]
        impl ::std::default::Default for #struct_ident {
            #[inline]
            fn default() -> Self {
                #struct_ident
            }
        }
    };
    let generated = generated_block(
        &quote! {
            #struct_impls
            #body
        },
        item.sig.fn_token.span,
    );
    quote! {
        #item

        #struct_item

        #generated
    }
}

/// The path everything generated goes through: `<crate>::__private`, where `<crate>` is
/// `::tool_runtime` or the `crate = "..."` option. The runtime's root is reorganised
/// freely; `__private` is the one surface it keeps for the expansion.
#[derive(Clone, Copy)]
pub(crate) struct Private<'a>(pub(crate) &'a Path);

impl ToTokens for Private<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let krate = self.0;
        tokens.extend(quote!(#krate::__private));
    }
}

impl Private<'_> {
    /// The path with every token at `span` (resolved at the call site): for code placed at
    /// a user's token so that its errors point there, the path included.
    pub(crate) fn at(self, span: Span) -> TokenStream {
        let span = at(span);
        self.into_token_stream()
            .into_iter()
            .map(|mut token| {
                token.set_span(span);
                token
            })
            .collect()
    }
}

/// The tool's struct: `struct_name = "..."` if given (at the string), else the function's
/// name in UpperCamelCase, at the function's name: the compiler's own error for a clash
/// with a type of the user's (E0428) then points at the function, whose name the user can
/// see is the struct's.
pub(crate) fn struct_ident(fn_ident: &Ident, struct_name: Option<&Ident>) -> Ident {
    if let Some(struct_name) = struct_name {
        return struct_name.clone();
    }
    let name = ast::unraw(fn_ident).to_upper_camel_case();
    format_ident!("{}", name, span = fn_ident.span())
}

fn has_receiver(item: &ItemFn) -> bool {
    matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_)))
}

/// Where to report an item that is not what the attribute goes on: its keyword.
fn item_keyword_span(item: &Item) -> Span {
    match item {
        Item::Struct(item) => item.struct_token.span,
        Item::Enum(item) => item.enum_token.span,
        Item::Impl(item) => item.impl_token.span,
        Item::Trait(item) => item.trait_token.span,
        Item::Mod(item) => item.mod_token.span,
        Item::Const(item) => item.const_token.span,
        Item::Static(item) => item.static_token.span,
        Item::Type(item) => item.type_token.span,
        other => other.span(),
    }
}

/// The generated items in an anonymous `const _` block, unmarked with the hygiene of `root`
/// (see [`unmarked`]), which allows the few lints the expansion cannot avoid.
pub(super) fn generated_block(items: &TokenStream, root: Span) -> TokenStream {
    unmarked(
        quote! {
            #[allow(unused_qualifications, clippy::type_complexity, clippy::let_unit_value)]
            const _: () = { #items };
        },
        root,
    )
}

/// The generated tokens with the hygiene of `root`, a token of the user's item, in place of
/// the expansion's own (`Span::call_site()`), each token still where it was. Both resolve
/// names alike (a proc macro's call-site hygiene is transparent); what differs is what the
/// compiler's incremental hashes see. A span marked by an expansion is hashed with the
/// expansion's hash, and that of an attribute on a module's item depends on its byte offset
/// in the module: editing one function changed the hash of every tool after it, whose
/// generated items were then all checked again (see the README of the compile-cost bench).
/// Unmarked, a tool's generated items are reused unless the tool itself changed.
///
/// The compiler then lints them as code the user wrote: the expansion stays clean under the
/// compiler's and clippy's strict lints (`test-ui/tests/lints.rs`), and allows only the few
/// it cannot avoid, by name (`unused_qualifications`: a `crate = "..."` path may name items
/// also in scope; clippy's `type_complexity` and `let_unit_value`, for a tool returning
/// `()`). Not whole lint groups: allowing a lint that a crate `forbid`s is an error
/// (E0453), even where the lint would not fire.
///
/// `$crate` keeps its own span: it names the crate of the macro that wrote it, which is
/// what its hygiene says, and a `fn` token written by another crate's macro would say
/// another crate.
fn unmarked(tokens: TokenStream, root: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if matches!(&token, proc_macro2::TokenTree::Ident(ident) if ident == "$crate") {
                return token;
            }
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut unmarked_group =
                    proc_macro2::Group::new(group.delimiter(), unmarked(group.stream(), root));
                unmarked_group.set_span(group.span().resolved_at(root));
                token = proc_macro2::TokenTree::Group(unmarked_group);
            } else {
                token.set_span(token.span().resolved_at(root));
            }
            token
        })
        .collect()
}

/// Spans located at the user's tokens, so that type errors point there, but resolved as
/// the rest of the expansion is: the generated names they carry (`__tool_value`, ...)
/// resolve as they do everywhere else in it.
fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}
