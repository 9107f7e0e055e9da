//! `#[tools]`: the impl block as written, and for each `#[tool]` method a tool struct
//! holding the shared value (`Arc<Self>`), with the `Tool` impl a free function gets, and
//! `ToolSet` for the impl's type, which hands the registry all of them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Ident, Item, Type};

use super::{fallback, item_keyword_span, tool_impl, Private, ReadTool};
use crate::ast::{self, Host, ToolImpl};
use crate::attr::ToolAttr;
use crate::ctxt::Ctxt;

pub(crate) fn tools(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Impl(item)) => item,
        Ok(other) => {
            cx.error_at(
                item_keyword_span(&other),
                "#[tools] goes on an impl block: `#[tools] impl Type { ... }`, with #[tool] on the methods the model may call",
            );
            return fallback::unexpanded(cx.check(), input);
        }
        Err(error) => {
            cx.syn_error(error);
            return fallback::unexpanded(cx.check(), input);
        }
    };
    let tools = ToolImpl::from_ast(&cx, args, item);
    let private = Private(&tools.krate);
    let self_ty = &*tools.item.self_ty;
    let host = Host::Method(self_ty);

    // Each tool's name, with the method it is from: two methods may not have the same.
    let mut names: Vec<(String, &Ident)> = Vec::new();
    let mut generated = Vec::new();
    let mut adds = Vec::new();
    for method in &tools.methods {
        let attr = ToolAttr::from_args(&cx, method.args.clone(), host);
        let Some(read) = ReadTool::read(&cx, attr, method.item.clone(), host) else {
            continue;
        };
        let fn_ident = &method.item.sig.ident;
        let checked = &read.checked;
        if let Some((_, other)) = names.iter().find(|(name, _)| *name == checked.name) {
            cx.error_at(checked.name_span, format!(
                "tool name `{}` is already the name of method `{other}` in this impl: each tool needs its own; rename one with #[tool(name = \"...\")]",
                checked.name
            ));
        }
        names.push((checked.name.clone(), fn_ident));

        let fn_name = ast::unraw(fn_ident);
        let struct_ident = format_ident!("__ToolMethod_{}", fn_name, span = fn_ident.span());
        let body = tool_impl::tool_impl(&read, &struct_ident, host, private);
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
            #private::add_method(
                __tool_batch,
                #struct_ident(::std::sync::Arc::clone(&self)),
                #origin,
            );
        });
    }

    let item = &tools.item;
    match cx.check() {
        Ok(()) => {
            let tool_set = tool_set_impl(self_ty, &quote!(#(#adds)*), private);
            // Unmarked as a free function's tool is (see `unmarked`).
            let generated = super::generated_block(
                &quote! {
                    #(#generated)*
                    #tool_set
                },
                item.impl_token.span,
            );
            quote! {
                #item

                #generated
            }
        }
        Err(errors) => fallback::tool_set(errors, item, private),
    }
}

/// `ToolSet` for the impl's type, with `body` adding its tools to `__tool_batch`.
pub(super) fn tool_set_impl(
    self_ty: &Type,
    body: &TokenStream,
    private: Private<'_>,
) -> TokenStream {
    quote! {
        impl #private::ToolSet for #self_ty {
            fn tools(self: ::std::sync::Arc<Self>, __tool_batch: &mut #private::ToolBatch) {
                #body
            }
        }
    }
}
