//! Whether an `async fn` tool's body can wait. A body with no `.await` completes the first
//! time its future is polled, so `call` polls it there, in place, and returns the result
//! ready, as for a sync tool: no boxed future, no async state kept by the registry.
//!
//! The answer must never be "cannot wait" for a body that can, so it is conservative: a
//! macro call may expand to an `.await` its tokens do not show (`tokio::join!`,
//! `futures::select!`), so any macro but the standard library's formatting and assertion
//! macros counts as waiting; so does an `.await` anywhere in the body, inner closures,
//! `async` blocks and items included. (Should the answer still be wrong, say a local
//! `macro_rules! format` that awaits, the call is an error output, not a hang: see the
//! runtime's `__private::without_waiting`.)

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// Macros of the standard library that expand to no `.await` of their own (an `.await`
/// in their arguments is seen in the tokens).
const NEVER_WAIT: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "concat",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "matches",
    "panic",
    "print",
    "println",
    "stringify",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Keywords a `!` (not) can follow, before a parenthesised operand: `if !(a || b)` is no
/// macro call.
const NOT_AFTER: &[&str] = &["if", "while", "match", "return", "in", "else", "break"];

/// Crates whose macros [`NEVER_WAIT`] names, when a path is written: `std::format!`.
const STANDARD: &[&str] = &["std", "core", "alloc"];

/// Attributes that change nothing a function's body does: any other attribute left on an
/// `async fn` tool (written below `#[tool]`, so it expands after it: `#[retry]`,
/// `#[instrument]`, a cache or a lock) may wrap the body in code that awaits.
const INERT_ATTRIBUTES: &[&str] = &[
    "doc",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "cfg",
    "inline",
    "cold",
    "must_use",
    "deprecated",
    "track_caller",
];

/// Whether an `async fn` may suspend: its body may (see [`may_wait`]), or an attribute
/// other than [`INERT_ATTRIBUTES`] is on it.
pub(super) fn fn_may_wait(item: &syn::ItemFn) -> bool {
    let inert = |attr: &syn::Attribute| {
        (attr.path().get_ident())
            .is_some_and(|name| INERT_ATTRIBUTES.contains(&name.to_string().as_str()))
    };
    !item.attrs.iter().all(inert) || may_wait(item.block.to_token_stream())
}

/// Whether the tokens of a function body may suspend: an `.await`, a macro call other than
/// those in [`NEVER_WAIT`], or a `use ... as` that gives one of those names to another
/// macro (`use tokio::join as println;`).
pub(super) fn may_wait(body: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    tokens.iter().enumerate().any(|(at, token)| match token {
        TokenTree::Ident(ident) if ident == "await" => true,
        TokenTree::Ident(ident) if ident == "as" => matches!(
            tokens.get(at + 1),
            Some(TokenTree::Ident(name)) if NEVER_WAIT.contains(&name.to_string().as_str())
        ),
        TokenTree::Group(group) => may_wait(group.stream()),
        // Whatever its spacing (another macro's tokens may mark it joint): `a != b` is no
        // call, as no group follows its `!`.
        TokenTree::Punct(punct) if punct.as_char() == '!' => unknown_macro_call(&tokens, at),
        _ => false,
    })
}

/// Whether the `!` at `at` makes a call (`name!(...)`, `name![...]`, `name! {...}`) of a
/// macro that is not known to never wait.
fn unknown_macro_call(tokens: &[TokenTree], at: usize) -> bool {
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(_))) =
        (at.checked_sub(1).map(|i| &tokens[i]), tokens.get(at + 1))
    else {
        return false;
    };
    let name = name.to_string();
    if NOT_AFTER.contains(&name.as_str()) {
        return false;
    }
    if !NEVER_WAIT.contains(&name.as_str()) {
        return true;
    }
    // `path::name!`: a standard macro only when the path is the standard library's
    // (`std`, `::core`: the segment before `::name`).
    match at.checked_sub(2).map(|i| &tokens[i]) {
        Some(TokenTree::Punct(colon)) if colon.as_char() == ':' => !matches!(
            at.checked_sub(4).map(|i| &tokens[i]),
            Some(TokenTree::Ident(segment)) if STANDARD.contains(&segment.to_string().as_str())
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{fn_may_wait, may_wait};

    #[test]
    fn a_body_without_await_or_macros_cannot_wait() {
        assert!(!may_wait(quote! {{
            let lower = location.to_lowercase();
            if !(lower.contains("x") || flag) { return Err(E(location)); }
            let n = match unit { Some(u) => u, None => U::C };
            Ok(format!("{lower} {n:?}"))
        }}));
        assert!(!may_wait(
            quote! {{ std::println!("a"); ::core::assert!(x != y); vec![1] }}
        ));
    }

    #[test]
    fn an_await_anywhere_can_wait() {
        assert!(may_wait(quote! {{ sleep(d).await; 1 }}));
        assert!(may_wait(quote! {{ let f = async { g().await }; 1 }}));
        assert!(may_wait(quote! {{ format!("{}", g().await) }}));
        assert!(may_wait(quote! {{ fn inner() { async { x.await }; } 1 }}));
    }

    #[test]
    fn a_macro_that_may_hide_an_await_can_wait() {
        assert!(may_wait(
            quote! {{ let (a, b) = tokio::join!(f(), g()); a }}
        ));
        assert!(may_wait(quote! {{ select! { _ = f() => 1 } }}));
        assert!(may_wait(quote! {{ tracing::info!("x"); 1 }}));
        assert!(may_wait(quote! {{ tokio::vec![1] }}));
        assert!(may_wait(
            quote! {{ macro_rules! m { () => { f().await } } m!() }}
        ));
        // A standard macro's name given to another.
        assert!(may_wait(
            quote! {{ use tokio::join as println; println!(f(), g()); 1 }}
        ));
    }

    #[test]
    fn an_attribute_that_may_wrap_the_body_can_wait() {
        let plain: syn::ItemFn = syn::parse_quote! {
            /// Docs.
            #[allow(unused)]
            #[inline]
            async fn f(x: u8) -> u8 { x }
        };
        assert!(!fn_may_wait(&plain));
        let wrapped: syn::ItemFn = syn::parse_quote! {
            /// Docs.
            #[retry(3)]
            async fn f(x: u8) -> u8 { x }
        };
        assert!(fn_may_wait(&wrapped));
        let instrumented: syn::ItemFn = syn::parse_quote! {
            #[tracing::instrument]
            async fn f(x: u8) -> u8 { x }
        };
        assert!(fn_may_wait(&instrumented));
    }
}
