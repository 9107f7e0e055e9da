//! Writes the code: the function as it was, a unit struct, and its `Tool` impl.
//!
//! Everything generated names the runtime by absolute path through
//! `::tool_runtime::__private`, and lives in a `const _: () = { ... };` block, so nothing
//! but the struct is added to the user's namespace.

use heck::ToUpperCamelCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, FnArg, GenericArgument, Item, ItemFn, PathArguments, ReturnType, Type};

use crate::ast::{self, Host, ParamKind, ToolFn, ToolImpl};
use crate::attr::{ParamDefault, ToolAttr};
use crate::valid::{self, Checked};

pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Fn(item)) => item,
        Ok(other) => {
            let error = match syn::parse2::<syn::TraitItemFn>(input.clone()) {
                // `fn f();`: in a trait, or a foreign function.
                Ok(declaration) if declaration.default.is_none() => syn::Error::new_spanned(
                    &declaration.sig,
                    "#[tool] goes on a function with a body: the tool calls it; a trait method or a foreign function has none",
                ),
                _ => syn::Error::new(
                    item_keyword_span(&other),
                    "#[tool] goes on a function (`fn` or `async fn`): the function's doc comment and signature become the tool",
                ),
            };
            let error = error.to_compile_error();
            return quote!(#error #input);
        }
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#error #input);
        }
    };
    match pipeline(args, item.clone(), Host::Free) {
        Ok((attr, tool, checked)) => expand(&attr, &tool, &checked),
        Err(errors) => {
            let errors = errors.to_compile_error();
            // The function is still emitted, and the struct with a stub `Tool` impl, so one
            // mistake does not also make every use of the function or the tool an error.
            // (Not for a method: an impl block cannot hold the struct.)
            let stub = (!has_receiver(&item)).then(|| stub(&item));
            let mut item = item;
            ast::strip_param_attrs(&mut item.sig);
            quote!(#errors #item #stub)
        }
    }
}

/// `#[tools]`: the impl block as written, and for each `#[tool]` method a tool struct
/// holding the shared value (`Arc<Self>`), with the `Tool` impl a free function gets, and
/// `ToolSet` for the impl's type, which hands the registry all of them.
pub fn tools(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Impl(item)) => item,
        Ok(other) => {
            let error = syn::Error::new(
                item_keyword_span(&other),
                "#[tools] goes on an impl block: `#[tools] impl Type { ... }`, with #[tool] on the methods the model may call",
            )
            .to_compile_error();
            return quote!(#error #input);
        }
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#error #input);
        }
    };
    let (tools, mut errors) = ToolImpl::parse(args, item);
    let self_ty = &*tools.item.self_ty;
    let mut names: Vec<(String, &syn::Ident)> = Vec::new();
    let mut generated = Vec::new();
    let mut adds = Vec::new();
    for method in &tools.methods {
        let host = Host::Method(self_ty);
        let (attr, tool, checked) = match pipeline(method.args.clone(), method.item.clone(), host) {
            Ok(parts) => parts,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let fn_ident = &method.item.sig.ident;
        if let Some((_, other)) = names.iter().find(|(name, _)| *name == checked.name) {
            errors.push(syn::Error::new(checked.name_span, format!(
                "tool name `{}` is already the name of method `{other}` in this impl: each tool needs its own; rename one with #[tool(name = \"...\")]",
                checked.name
            )));
        }
        names.push((checked.name.clone(), fn_ident));
        let fn_name = checked_fn_name(fn_ident);
        let struct_ident = format_ident!("__ToolMethod_{}", fn_name, span = fn_ident.span());
        let body = tool_impl(&attr, &tool, &checked, &struct_ident, host);
        let cfgs = &method.cfgs;
        // What a duplicate name's error calls the tool: the method's path, not the hidden
        // struct's. A type written as a path (`crate::a::Store`) is shown as written.
        let method_path = format!("{}::{fn_name}", ast::type_text(self_ty));
        let origin = match self_ty {
            Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
                quote!(::std::concat!(::std::module_path!(), "::", #method_path))
            }
            _ => quote!(#method_path),
        };
        generated.push(quote! {
            #(#cfgs)*
            #[allow(non_camel_case_types)]
            struct #struct_ident(::std::sync::Arc<#self_ty>);

            #(#cfgs)*
            const _: () = { #body };
        });
        adds.push(quote! {
            #(#cfgs)*
            ::tool_runtime::__private::add_method(
                __tool_batch,
                #struct_ident(::std::sync::Arc::clone(&self)),
                #origin,
            );
        });
    }
    let item = &tools.item;
    let tool_set = |body: TokenStream| {
        quote! {
            impl ::tool_runtime::__private::ToolSet for #self_ty {
                fn tools(self: ::std::sync::Arc<Self>, __tool_batch: &mut ::tool_runtime::__private::ToolBatch) {
                    #body
                }
            }
        }
    };
    match combine(errors) {
        None => {
            let tool_set = tool_set(quote!(#(#adds)*));
            quote! {
                #item

                const _: () = {
                    #(#generated)*
                    #tool_set
                };
            }
        }
        Some(errors) => {
            let errors = errors.to_compile_error();
            // A stub, as for a free function, so `register_all(value)` is not also an error;
            // unless the impl is one no `ToolSet` impl can be written for.
            let generics = &item.generics;
            let stub = (item.trait_.is_none()
                && generics.params.is_empty()
                && generics.where_clause.is_none())
            .then(|| tool_set(quote!(::std::unreachable!())));
            quote!(#errors #item #stub)
        }
    }
}

/// Parse and validate one tool function: its options, its signature, their checks; every
/// error found, at once.
fn pipeline(
    args: TokenStream,
    item: ItemFn,
    host: Host,
) -> syn::Result<(ToolAttr, ToolFn, Checked)> {
    let attr = ToolAttr::parse(args);
    let tool = ToolFn::parse(item, host);
    let checked = match (&attr, &tool) {
        (Ok(attr), Ok(tool)) => Some(valid::validate(attr, tool)),
        _ => None,
    };
    match (attr, tool, checked) {
        (Ok(attr), Ok(tool), Some(Ok(checked))) => Ok((attr, tool, checked)),
        (attr, tool, checked) => Err(combine(
            [attr.err(), tool.err(), checked.and_then(Result::err)]
                .into_iter()
                .flatten(),
        )
        .unwrap_or_else(|| syn::Error::new(Span::call_site(), "#[tool] failed"))),
    }
}

fn combine(errors: impl IntoIterator<Item = syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut all, error| {
        all.combine(error);
        all
    })
}

/// A free function's tool: the function as it was, its unit struct, and the struct's `Tool`
/// impl.
fn expand(attr: &ToolAttr, tool: &ToolFn, checked: &Checked) -> TokenStream {
    let item = &tool.item;
    let vis = &item.vis;
    let fn_name = checked_fn_name(&item.sig.ident);
    let struct_ident = struct_ident(&item.sig.ident);
    let name = &checked.name;
    let struct_doc = format!(
        "The `{name}` tool: the definition and dispatcher of `{fn_name}`, generated by `#[tool]`."
    );
    let body = tool_impl(attr, tool, checked, &struct_ident, Host::Free);
    quote! {
        #item

        #[doc = #struct_doc]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #struct_ident;

        const _: () = { #body };
    }
}

/// The `Tool` impl of `struct_ident`, which calls the function of `tool`: a free function,
/// or a method of the `host` type, on the value the struct holds (`self.0`, an `Arc`). The
/// items it needs come with it; it goes in a `const _` block of its own.
fn tool_impl(
    attr: &ToolAttr,
    tool: &ToolFn,
    checked: &Checked,
    struct_ident: &syn::Ident,
    host: Host,
) -> TokenStream {
    let item = &tool.item;
    let fn_ident = &item.sig.ident;
    let name = &checked.name;
    let description = &checked.description;

    let mut fields = Vec::new();
    // The model's parameters: their types, and the generic parameters standing for them in
    // code that needs `ToolParameter` (see `__tool_fns` below).
    let mut model_types = Vec::new();
    let mut type_params = Vec::new();
    let mut schema_params = Vec::new();
    let mut default_jsons = Vec::new();
    let mut default_locals = Vec::new();
    let mut default_fns = Vec::new();
    let mut state_types = Vec::new();
    let mut locals = Vec::new();
    let mut call_args = Vec::new();

    for (index, (param, param_description)) in tool
        .params
        .iter()
        .zip(&checked.param_descriptions)
        .enumerate()
    {
        let ident = &param.ident;
        let ty = &param.ty;
        match &param.kind {
            ParamKind::State(inner) => {
                let local = format_ident!("__tool_state_{}", index);
                state_types.push(quote!(::tool_runtime::__private::StateKey::of::<#inner>()));
                locals.push(quote!(let #local = ::tool_runtime::__private::state::<#inner>(&__tool_input)?;));
                call_args.push(quote!(#local));
            }
            ParamKind::Context => {
                let local = format_ident!("__tool_context_{}", index);
                locals.push(
                    quote!(let #local = ::tool_runtime::__private::call_context(&__tool_input);),
                );
                call_args.push(quote!(#local));
            }
            ParamKind::Model => {
                let type_param = format_ident!("__P{}", index);
                let json_name = param.json_name();
                let description = match param_description {
                    Some(text) => quote!(::std::option::Option::Some(#text)),
                    None => quote!(::std::option::Option::None),
                };
                let required = param.default.is_none() && !param.is_option();
                let default_local = format_ident!("__tool_default_json_{}", index);
                schema_params.push(quote!(
                    .param::<#type_param>(#json_name, #description, #required, #default_local)
                ));
                default_locals.push(default_local);
                match &param.default {
                    None => {
                        fields.push(quote!(#ident: #type_param));
                        call_args.push(quote!(__tool_arguments.#ident));
                        default_jsons.push(quote!(::std::option::Option::None));
                    }
                    Some((default, span)) => {
                        // The default is written once, in a function of its own: a mistake in
                        // it is reported once, at the expression (or at `default`).
                        let default_fn = format_ident!("__tool_default_{}", index);
                        let value = match default {
                            ParamDefault::Trait => {
                                quote_spanned!(*span=> ::std::default::Default::default())
                            }
                            ParamDefault::Expr(expr) => quote!(#expr),
                        };
                        default_fns.push(quote! {
                            fn #default_fn() -> #ty {
                                #value
                            }
                        });
                        fields.push(
                            quote!(#[serde(default)] #ident: ::std::option::Option<#type_param>),
                        );
                        call_args.push(quote!(__tool_arguments.#ident.unwrap_or_else(#default_fn)));
                        default_jsons.push(default_json(default, &default_fn, ty));
                    }
                }
                model_types.push(ty);
                type_params.push(type_param);
            }
        }
    }

    let model_count = model_types.len();
    let (generics, bounded_generics, turbofish, concrete, concrete_turbofish) =
        if type_params.is_empty() {
            Default::default()
        } else {
            let bound = quote!(::tool_runtime::__private::ToolParameter);
            (
                quote!(<#(#type_params),*>),
                quote!(<#(#type_params: #bound),*>),
                quote!(::<#(#type_params),*>),
                quote!(<#(#model_types),*>),
                quote!(::<#(#model_types),*>),
            )
        };
    let deserialize_bound = type_params
        .iter()
        .map(|param| format!("{param}: ::tool_runtime::__private::ToolParameter"))
        .collect::<Vec<_>>()
        .join(", ");

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
    // Spans located at the user's tokens, so that type errors point there, but resolved at
    // the call site like the rest of the expansion: the generated names they carry
    // (`__tool_value`, ...) resolve as they do everywhere else in it.
    let at = |span: Span| Span::call_site().located_at(span);
    let autoref_split = quote!((&__tool_return).__tool_result_kind().split(__tool_return));
    let (split, split_fn, value_span) = match &item.sig.output {
        ReturnType::Default => (autoref_split, None, item.sig.ident.span()),
        ReturnType::Type(_, ty) => match result_types(ty) {
            // A `Result` is split by a function that requires `E: Display`, called at the
            // error type: an error type that is not `Display` is reported there, once, rather
            // than as the whole `Result` failing to be an output.
            Some((ok, error)) => {
                let error_span = error.map_or_else(|| ty.span(), Spanned::span);
                let split_fn = quote! {
                    fn __tool_split<__T, __E: ::tool_runtime::__private::ToolErrorValue>(
                        __tool_return: ::std::result::Result<__T, __E>,
                    ) -> ::std::result::Result<__T, ::tool_runtime::__private::ToolError> {
                        #[allow(unused_imports)]
                        use ::tool_runtime::__private::ResultKind as _;
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
    let with_output_schema = json_output(&item.sig.output, host).map(|inner| {
        quote_spanned! {at(inner.span())=>
            .with_output_schema(::tool_runtime::__private::output_schema::<#inner>())
        }
    });
    let callee = match host {
        Host::Free => quote!(#fn_ident(#(#call_args),*)),
        Host::Method(self_ty) => quote!(<#self_ty>::#fn_ident(&*self.0, #(#call_args),*)),
    };
    let steps = |await_call: Option<TokenStream>| {
        quote! {
            #[allow(unused_imports)]
            use ::tool_runtime::__private::{
                JsonKind as _, PlainKind as _, ResultKind as _, StringKind as _, UnitKind as _,
            };
            let __tool_arguments = (__TOOL_FNS.arguments)(&__tool_input, self)?;
            #(#locals)*
            let __tool_return = #callee #await_call;
            let __tool_value = #split?;
            #render
        }
    };
    // A sync tool runs inside `call` and allocates no future; the registry catches its
    // panics around `call` as it does around an async tool's polls.
    let call_body = match item.sig.asyncness {
        Some(asyncness) => {
            let steps = steps(Some(quote!(.await)));
            // Placed at `async`: a future that is not `Send` is reported there, with the
            // value held across an `.await`.
            quote_spanned!(at(asyncness.span)=> ::tool_runtime::__private::ToolFuture::boxed(async move { #steps }))
        }
        None => {
            let steps = steps(None);
            quote! {
                let __tool_run = || -> ::std::result::Result<::std::string::String, ::tool_runtime::__private::ToolError> { #steps };
                ::tool_runtime::__private::ToolFuture::ready(__tool_run())
            }
        }
    };

    quote! {
            #[derive(::tool_runtime::__private::serde::Deserialize)]
            #[serde(
                crate = "::tool_runtime::__private::serde",
                deny_unknown_fields,
                bound(deserialize = #deserialize_bound)
            )]
            struct __ToolArguments #generics {
                #(#fields,)*
            }

            struct __ToolFns<__A> {
                parameters: fn([::std::option::Option<::tool_runtime::__private::serde_json::Value>; #model_count])
                    -> ::tool_runtime::__private::serde_json::Value,
                arguments: fn(&::tool_runtime::__private::ToolInput<'_>, &#struct_ident)
                    -> ::std::result::Result<__A, ::tool_runtime::__private::ToolError>,
            }

            // Everything that needs the parameter types to be `ToolParameter` is generic over
            // them and instantiated here only: a type that is not is reported once, at the
            // type in the signature, with `ToolParameter`'s message.
            const fn __tool_fns #bounded_generics () -> __ToolFns<__ToolArguments #generics> {
                fn parameters #bounded_generics (
                    __tool_defaults: [::std::option::Option<::tool_runtime::__private::serde_json::Value>; #model_count],
                ) -> ::tool_runtime::__private::serde_json::Value {
                    let [#(#default_locals),*] = __tool_defaults;
                    ::tool_runtime::__private::ParametersBuilder::new()
                        #(#schema_params)*
                        .finish()
                }
                fn arguments #bounded_generics (
                    __tool_input: &::tool_runtime::__private::ToolInput<'_>,
                    __tool: &#struct_ident,
                ) -> ::std::result::Result<__ToolArguments #generics, ::tool_runtime::__private::ToolError> {
                    ::tool_runtime::__private::parse_arguments(__tool_input, __tool)
                }
                __ToolFns {
                    parameters: parameters #turbofish,
                    arguments: arguments #turbofish,
                }
            }

            const __TOOL_FNS: __ToolFns<__ToolArguments #concrete> = __tool_fns #concrete_turbofish ();

            #(#default_fns)*
            #split_fn

            impl ::tool_runtime::__private::Tool for #struct_ident {
                const NAME: &'static str = #name;

                fn definition(&self) -> &::tool_runtime::__private::ToolDefinition {
                    static DEFINITION: ::tool_runtime::__private::OnceLock<::tool_runtime::__private::ToolDefinition> =
                        ::tool_runtime::__private::OnceLock::new();
                    DEFINITION.get_or_init(|| {
                        #[allow(unused_imports)]
                        use ::tool_runtime::__private::{OpaqueDefault as _, SerializeDefault as _};
                        let parameters = (__TOOL_FNS.parameters)([#(#default_jsons),*]);
                        ::tool_runtime::__private::ToolDefinition::new(#name, #description, parameters)
                            .with_strictness(::tool_runtime::__private::Strictness::#strictness)
                            .with_markers(::tool_runtime::__private::ToolMarkers {
                                destructive: #destructive,
                                requires_approval: #needs_approval,
                                read_only: #read_only,
                                idempotent: #idempotent,
                                open_world: #open_world,
                            })
                            #with_output_schema
                    })
                }

                fn required_state(&self) -> ::std::vec::Vec<::tool_runtime::__private::StateKey> {
                    ::std::vec![#(#state_types),*]
                }

                fn call<'a>(&'a self, __tool_input: ::tool_runtime::__private::ToolInput<'a>) -> ::tool_runtime::__private::ToolFuture<'a> {
                    #call_body
                }
            }
    }
}

/// The schema's `default` for a parameter: its value, when it is a literal, a path (an enum
/// variant, a constant) or the type's `Default`, and serializable. Other expressions are
/// evaluated per call and could differ from any value shown.
fn default_json(default: &ParamDefault, default_fn: &syn::Ident, ty: &syn::Type) -> TokenStream {
    if let ParamDefault::Expr(expr) = default {
        if !is_constant(expr) {
            return quote!(::std::option::Option::None);
        }
    }
    quote! {{
        let __tool_default: #ty = #default_fn();
        (&::tool_runtime::__private::DefaultValue(&__tool_default)).__tool_default_json()
    }}
}

/// `Result<T, E>` -> (`T`, `Some(E)`); `Result<T>` (an alias such as `io::Result`) -> (`T`, `None`).
/// `T` of a `Json<T>` or `Result<Json<T>, E>` return type: the typed output whose schema
/// the definition carries. Recognized by the written name, like `Result`; `Self` in a
/// method's output names the impl's type.
fn json_output(output: &ReturnType, host: Host) -> Option<TokenStream> {
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

fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Neg(_)) && is_constant(&unary.expr),
        Expr::Group(group) => is_constant(&group.expr),
        Expr::Paren(paren) => is_constant(&paren.expr),
        // `Some(3)`, `Level(2)`: a constructor, by Rust's naming; `compute()` is not.
        Expr::Call(call) => {
            let constructor = matches!(&*call.func, Expr::Path(path)
                if path.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with(char::is_uppercase)));
            constructor && call.args.iter().all(is_constant)
        }
        _ => false,
    }
}

/// The tool's struct: the function's name in UpperCamelCase, at the function's name.
fn struct_ident(fn_ident: &syn::Ident) -> syn::Ident {
    let name = checked_fn_name(fn_ident).to_upper_camel_case();
    format_ident!("{}", name, span = fn_ident.span())
}

/// What stands for the tool when the attribute has an error: the struct, implementing `Tool`
/// with bodies never run (the crate does not compile).
fn stub(item: &ItemFn) -> TokenStream {
    let vis = &item.vis;
    let struct_ident = struct_ident(&item.sig.ident);
    let name = checked_fn_name(&item.sig.ident);
    quote! {
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #struct_ident;

        impl ::tool_runtime::__private::Tool for #struct_ident {
            const NAME: &'static str = #name;

            fn definition(&self) -> &::tool_runtime::__private::ToolDefinition {
                ::std::unreachable!()
            }

            fn call<'a>(&'a self, _: ::tool_runtime::__private::ToolInput<'a>) -> ::tool_runtime::__private::ToolFuture<'a> {
                ::std::unreachable!()
            }
        }
    }
}

fn has_receiver(item: &ItemFn) -> bool {
    matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_)))
}

fn checked_fn_name(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

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
