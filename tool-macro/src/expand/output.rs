//! The function's return value: how it becomes the tool's output (text for the model, or an
//! error), and the output schema of a `Json<T>`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, ReturnType, Signature, Type};

use super::{at, Private};
use crate::ast::{self, Host};

/// The code handling the return value `__tool_return` of the call.
pub(super) struct Output {
    /// `Result<value, ToolError>` from `__tool_return`: an `Err` is the tool's error.
    pub(super) split: TokenStream,
    /// The function `split` calls, for a `Result`.
    pub(super) split_fn: Option<TokenStream>,
    /// The output text from the value `__tool_value`.
    pub(super) render: TokenStream,
    /// `.with_output_schema(...)` on the definition, for a `Json<T>` output.
    pub(super) with_output_schema: Option<TokenStream>,
}

impl Output {
    pub(super) fn new(sig: &Signature, host: Host<'_>, private: Private<'_>) -> Self {
        // The kind of the value is chosen by autoref specialization, on the `*Kind` traits
        // imported as `_` where the call is made (see `tool_impl`).
        let autoref_split = quote!((&__tool_return).__tool_result_kind().split(__tool_return));
        let (split, split_fn, value_span) = match &sig.output {
            ReturnType::Default => (autoref_split, None, sig.ident.span()),
            ReturnType::Type(_, ty) => match result_types(ty) {
                // A `Result` is split by a function that requires `E: Display`, called at
                // the error type: an error type that is not `Display` is reported there,
                // once, rather than as the whole `Result` failing to be an output.
                Some((ok, error)) => {
                    let error_span = error.map_or_else(|| ty.span(), Spanned::span);
                    let split_fn = quote! {
                        fn __tool_split<__T, __E: #private::ToolErrorValue>(
                            __tool_return: ::std::result::Result<__T, __E>,
                        ) -> ::std::result::Result<__T, #private::ToolError> {
                            #[allow(unused_imports)]
                            use #private::ResultKind as _;
                            (&__tool_return).__tool_result_kind().split(__tool_return)
                        }
                    };
                    (
                        quote_spanned!(at(error_span)=> __tool_split(__tool_return)),
                        Some(split_fn),
                        ok.span(),
                    )
                }
                None => (autoref_split, None, ty.span()),
            },
        };
        let render = quote_spanned! {at(value_span)=>
            (&__tool_value).__tool_output_kind().render(__tool_value)
        };
        let with_output_schema = json_output(&sig.output, host).map(|inner| {
            let private = private.at(inner.span());
            quote_spanned! {at(inner.span())=>
                .with_output_schema(#private::output_schema::<#inner>())
            }
        });
        Output {
            split,
            split_fn,
            render,
            with_output_schema,
        }
    }
}

/// `T` of a `Json<T>` or `Result<Json<T>, E>` return type: the typed output whose schema
/// the definition carries. Recognized by the written name, like `Result`; `Self` in a
/// method's output names the impl's type.
fn json_output(output: &ReturnType, host: Host<'_>) -> Option<TokenStream> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = result_types(ty).map_or(&**ty, |(ok, _)| ok);
    let Type::Path(path) = value else { return None };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let [GenericArgument::Type(inner)] = args.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if segment.ident != "Json" {
        return None;
    }
    Some(ast::resolve_self(inner, host).to_token_stream())
}

/// `Result<T, E>` -> (`T`, `Some(E)`); `Result<T>` (an alias such as `io::Result`) -> (`T`, `None`).
fn result_types(ty: &Type) -> Option<(&Type, Option<&Type>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let types: Vec<&Type> = args
        .args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect();
    match (segment.ident == "Result", types.as_slice()) {
        (true, [ok]) => Some((ok, None)),
        (true, [ok, error]) => Some((ok, Some(error))),
        _ => None,
    }
}
