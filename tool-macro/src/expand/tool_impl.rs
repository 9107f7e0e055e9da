//! The `Tool` impl of a tool's struct: its definition, the state it needs, and `call`,
//! which parses the arguments, calls the function and renders what it returns.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;

use super::output::Output;
use super::params::{self, Parameter};
use super::{at, waits, Private, ReadTool};
use crate::ast::Host;

/// The `Tool` impl of `struct_ident`, which calls the function that was read: a free
/// function, or a method of the `host` type, on the value the struct holds (`self.0`, an
/// `Arc`). The items it needs come with it; it goes in a `const _` block of its own.
pub(super) fn tool_impl(
    read: &ReadTool,
    struct_ident: &Ident,
    host: Host<'_>,
    private: Private<'_>,
) -> TokenStream {
    let ReadTool {
        attr,
        tool,
        checked,
    } = read;
    let sig = &tool.item.sig;
    let fn_ident = &sig.ident;
    let name = &checked.name;
    let description = &checked.description;
    let params = Parameter::all(&tool.params, &checked.param_descriptions);

    let arguments = params::arguments(&params, private);
    let default_fns = params.iter().filter_map(Parameter::default_fn);
    let default_jsons = (params.iter())
        .filter(|p| p.is_model())
        .map(|p| p.default_json(private));
    let state_keys: Vec<TokenStream> = params.iter().filter_map(|p| p.state_key(private)).collect();
    let locals = params.iter().filter_map(|p| p.local(private));
    let call_args = params.iter().map(Parameter::call_arg);

    let Output {
        split,
        split_fn,
        render,
        with_output_schema,
    } = Output::new(sig, host, private);

    let strictness = match attr.strict {
        None => quote!(Auto),
        Some(true) => quote!(On),
        Some(false) => quote!(Off),
    };
    let [destructive, needs_approval, read_only, idempotent, open_world] = [
        attr.destructive,
        attr.needs_approval,
        attr.read_only,
        attr.idempotent,
        attr.open_world,
    ]
    .map(|flag| flag.is_some());

    let callee = match host {
        Host::Free => quote!(#fn_ident(#(#call_args),*)),
        Host::Method(self_ty) => quote!(<#self_ty>::#fn_ident(&*self.0, #(#call_args),*)),
    };
    // The steps end in `break '__tool Err(..)` rather than `?`: `?` on each step's
    // `Result<T, ToolError>` would make the compiler instantiate `Try` code for each `T` of
    // each tool; a `match` is plain code.
    let steps = |call: TokenStream| {
        quote! {
            '__tool: {
                #[allow(unused_imports)]
                use #private::{
                    JsonKind as _, PlainKind as _, ResultKind as _, StringKind as _, UnitKind as _,
                };
                let __tool_arguments = match (__TOOL_FNS.arguments)(__tool_input.arguments, __tool_definition) {
                    ::std::result::Result::Ok(__tool_arguments) => __tool_arguments,
                    ::std::result::Result::Err(__tool_error) => break '__tool ::std::result::Result::Err(__tool_error),
                };
                #(#locals)*
                let __tool_return = #call;
                let __tool_value = match #split {
                    ::std::result::Result::Ok(__tool_value) => __tool_value,
                    ::std::result::Result::Err(__tool_error) => break '__tool ::std::result::Result::Err(__tool_error),
                };
                #render
            }
        }
    };
    // A sync tool runs inside `call` and allocates no future (nor has an async state
    // machine); the registry catches its panics around `call` as it does around an async
    // tool's polls. So does an async tool whose body cannot wait: its future is polled
    // once, in place, where it completes.
    let call_body = match sig.asyncness {
        Some(asyncness) if waits::fn_may_wait(&tool.item) => {
            let steps = steps(quote!(#callee.await));
            // Placed at `async`: a future that is not `Send` is reported there, with the
            // value held across an `.await`.
            let private = private.at(asyncness.span);
            quote_spanned!(at(asyncness.span)=> #private::ToolFuture::boxed(async move { #steps }))
        }
        Some(_) => {
            let steps = steps(quote! {
                match #private::without_waiting(#callee) {
                    ::std::option::Option::Some(__tool_return) => __tool_return,
                    ::std::option::Option::None => break '__tool ::std::result::Result::Err(#private::waited(#name)),
                }
            });
            quote!(#private::ToolFuture::ready(#steps))
        }
        None => {
            let steps = steps(callee);
            quote!(#private::ToolFuture::ready(#steps))
        }
    };
    // The definition is built on first use by `build`, kept through a function of the
    // runtime (not generic: no `OnceLock` code per tool); a parse asks for its schema.
    // The trait's default (no state) unless the tool takes some: one function fewer.
    let required_state = (!state_keys.is_empty()).then(|| {
        quote! {
            fn required_state(&self) -> ::std::vec::Vec<#private::StateKey> {
                ::std::vec![#(#state_keys),*]
            }
        }
    });

    quote! {
        #arguments

        #(#default_fns)*
        #split_fn

        fn __tool_definition() -> &'static #private::ToolDefinition {
            static DEFINITION: #private::OnceLock<#private::ToolDefinition> =
                #private::OnceLock::new();
            fn build() -> #private::ToolDefinition {
                #[allow(unused_imports)]
                use #private::{OpaqueDefault as _, SerializeDefault as _};
                let parameters = (__TOOL_FNS.parameters)([#(#default_jsons),*]);
                #private::ToolDefinition::new(#name, #description, parameters)
                    .with_strictness(#private::Strictness::#strictness)
                    .with_markers(#private::ToolMarkers {
                        destructive: #destructive,
                        requires_approval: #needs_approval,
                        read_only: #read_only,
                        idempotent: #idempotent,
                        open_world: #open_world,
                    })
                    #with_output_schema
            }
            #private::definition(&DEFINITION, build)
        }

        impl #private::Tool for #struct_ident {
            const NAME: &'static str = #name;

            fn definition(&self) -> &#private::ToolDefinition {
                __tool_definition()
            }

            #required_state

            fn call<'a>(&'a self, __tool_input: #private::ToolInput<'a>) -> #private::ToolFuture<'a> {
                #call_body
            }
        }
    }
}
