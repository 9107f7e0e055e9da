//! The function `#[tool]` is on, read into what the expansion needs: a free function, or a
//! method of a `#[tools]` impl block (a function with a `&self` receiver).

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, Generics, Ident, ImplItem, ItemFn, ItemImpl, Meta, Pat,
    PathArguments, Receiver, Signature, Type,
};

use crate::attr::{default_crate, ImplAttr, ParamAttr, ParamDefault};
use crate::ctxt::Ctxt;
use crate::docs::{self, DocLine};

/// Where a tool function is.
#[derive(Clone, Copy)]
pub(crate) enum Host<'a> {
    /// A free function.
    Free,
    /// A method of `#[tools] impl Type`, on this `Type`.
    Method(&'a Type),
}

/// Why `#[tool]` on a method needs `#[tools]`, for a receiver outside a `#[tools]` impl.
const NEEDS_TOOLS: &str = "#[tool] on a method needs #[tools] on its impl block: write `#[tools] impl Type { ... }` (tool_runtime::tools) and register the value with `registry.register_all(value)`; or make it a free function taking what `self` holds as a `State<T>` parameter";

pub(crate) struct ToolFn {
    /// The function as it is emitted: parameter attributes of ours removed.
    pub(crate) item: ItemFn,
    pub(crate) docs: Vec<DocLine>,
    /// A doc attribute that is not a string literal (`include_str!`), if any.
    pub(crate) opaque_docs: Option<proc_macro2::Span>,
    pub(crate) params: Vec<Param>,
}

pub(crate) struct Param {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) kind: ParamKind,
    pub(crate) docs: Vec<DocLine>,
    pub(crate) default: Option<(ParamDefault, Span)>,
}

pub(crate) enum ParamKind {
    /// Filled from the model's arguments.
    Model,
    /// `State<T>`: filled from the registry's state; holds `T`.
    State(Box<Type>),
    /// `CallContext`.
    Context,
}

impl Param {
    /// The property name the model sees.
    pub(crate) fn json_name(&self) -> String {
        unraw(&self.ident)
    }

    /// `Option<T>` parameters may be omitted. Decided by the written type, as serde's
    /// derive does for `#[serde(default)]`-less fields.
    pub(crate) fn is_option(&self) -> bool {
        last_segment(&self.ty).is_some_and(|(ident, args)| ident == "Option" && args.len() == 1)
    }
}

/// A name as the model and messages show it: `r#type` is `type`.
pub(crate) fn unraw(ident: &Ident) -> String {
    ident.unraw().to_string()
}

impl ToolFn {
    /// Reads the function; `None` if it has an error (all of them reported).
    pub(crate) fn from_ast(cx: &Ctxt, mut item: ItemFn, host: Host<'_>) -> Option<Self> {
        let errors_before = cx.error_count();
        let sig = &item.sig;
        let has_receiver = matches!(sig.inputs.first(), Some(FnArg::Receiver(_)));
        if let (Host::Method(_), false) = (host, has_receiver) {
            cx.error_at(
                sig.paren_token.span.join(),
                "a #[tool] method of a #[tools] impl takes `&self`: its tools share the registered value; add `&self`, or move the function out of the impl as a free #[tool] fn",
            );
        }
        check_generics(
            cx,
            &sig.generics,
            "a tool cannot be generic: the model's arguments need one concrete type; write a tool per type, or take an enum",
            "a tool cannot have a `where` clause: its types are concrete; remove it",
        );
        if let Some(unsafety) = &sig.unsafety {
            cx.error_at(
                unsafety.span,
                "a tool cannot be an `unsafe fn`: a model's call cannot uphold its safety contract; make the function safe, with an `unsafe` block inside it",
            );
        }
        if let Some(variadic) = &sig.variadic {
            cx.error_spanned_by(
                variadic,
                "a tool cannot be variadic: the model fills in named parameters; take a `Vec<T>`",
            );
        }

        let mut params = Vec::new();
        for input in &mut item.sig.inputs {
            let typed = match input {
                FnArg::Receiver(receiver) => {
                    match host {
                        Host::Free => cx.error_spanned_by(&*receiver, NEEDS_TOOLS),
                        Host::Method(_) => check_receiver(cx, receiver),
                    }
                    continue;
                }
                FnArg::Typed(typed) => typed,
            };
            if let Some(param) = Param::from_ast(cx, typed, host) {
                params.push(param);
            }
        }

        let docs = docs::lines(&item.attrs);
        let opaque_docs = docs::opaque(&item.attrs);
        (cx.error_count() == errors_before).then_some(ToolFn {
            item,
            docs,
            opaque_docs,
            params,
        })
    }
}

impl Param {
    /// Reads a parameter, and removes from it the attributes the compiler would not accept
    /// there (its docs and `#[tool(...)]`); `None` if it has an error.
    fn from_ast(cx: &Ctxt, typed: &mut syn::PatType, host: Host<'_>) -> Option<Self> {
        let docs = docs::lines(&typed.attrs);
        if let Some(cfg) = typed
            .attrs
            .iter()
            .find(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
        {
            cx.error_spanned_by(
                cfg,
                "a tool parameter cannot be conditional: its schema would not match the function; put the `#[cfg]` on the whole function, or make the parameter an `Option`",
            );
        }
        let attr = ParamAttr::from_attrs(cx, &typed.attrs);
        typed
            .attrs
            .retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("tool"));
        let attr = attr?;
        let ident = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                cx.error_spanned_by(
                    other,
                    "a tool parameter must be a plain name (`location: String`): the name becomes the property the model fills in",
                );
                return None;
            }
        };
        let ty = resolve_self(&*typed.ty, host);
        let kind = match last_segment(&ty) {
            Some((name, args)) if name == "State" && args.len() == 1 => {
                ParamKind::State(Box::new(args[0].clone()))
            }
            Some((name, args)) if name == "CallContext" && args.is_empty() => ParamKind::Context,
            _ => ParamKind::Model,
        };
        if let ParamKind::Model = kind {
            if let Some(error) = unsupported_type(&ty) {
                cx.syn_error(error);
                return None;
            }
        }
        Some(Param {
            ident,
            ty,
            kind,
            docs,
            default: attr.default.map(|(default, span)| match default {
                ParamDefault::Expr(expr) => (ParamDefault::Expr(resolve_self(&expr, host)), span),
                ParamDefault::Trait => (ParamDefault::Trait, span),
            }),
        })
    }
}

/// A `#[tools]` impl block: the block as it is emitted, and its `#[tool]` methods.
pub(crate) struct ToolImpl {
    /// The block as written, minus the `#[tool]` attributes and the parameter attributes
    /// of its tool methods.
    pub(crate) item: ItemImpl,
    /// The runtime's path, from `#[tools(crate = "...")]`, for the tools of every method.
    pub(crate) krate: syn::Path,
    pub(crate) methods: Vec<Method>,
}

/// A `#[tool]` method of a `#[tools]` impl.
pub(crate) struct Method {
    /// The arguments of its `#[tool(...)]`.
    pub(crate) args: TokenStream,
    /// The method as a function, for the pipeline of free functions.
    pub(crate) item: ItemFn,
    /// Its `#[cfg]`s: the code generated for it is there exactly when the method is.
    pub(crate) cfgs: Vec<Attribute>,
}

impl ToolImpl {
    /// Reads the block and its options. What stops its tools being generated is reported,
    /// and what could be read is returned all the same, so that the methods' own errors are
    /// reported too.
    pub(crate) fn from_ast(cx: &Ctxt, args: TokenStream, mut item: ItemImpl) -> Self {
        let errors_before = cx.error_count();
        let attr = ImplAttr::from_args(cx, args);
        if let Some((_, path, _)) = &item.trait_ {
            cx.error_spanned_by(
                path,
                "#[tools] goes on an inherent impl block (`impl Type { ... }`), not a trait impl: put the tool methods in an impl of the type itself",
            );
        }
        check_generics(
            cx,
            &item.generics,
            "a #[tools] impl cannot be generic: each tool's schema and dispatcher are for one concrete type; write `#[tools] impl Type<Concrete> { ... }` for each type the model uses",
            "a #[tools] impl cannot have a `where` clause: its type is concrete; remove it",
        );
        let krate = attr.krate.unwrap_or_else(default_crate);
        let mut methods = Vec::new();
        for impl_item in &mut item.items {
            let attrs = match impl_item {
                ImplItem::Fn(method) => &mut method.attrs,
                ImplItem::Const(item) => &mut item.attrs,
                ImplItem::Type(item) => &mut item.attrs,
                ImplItem::Macro(item) => &mut item.attrs,
                _ => continue,
            };
            let mut tool_attrs = Vec::new();
            attrs.retain(|attr| {
                let ours = is_tool_attr(attr);
                if ours {
                    tool_attrs.push(attr.clone());
                }
                !ours
            });
            let Some(first) = tool_attrs.first() else {
                continue;
            };
            let ImplItem::Fn(method) = impl_item else {
                cx.error_spanned_by(
                    first,
                    "#[tool] goes on a method (`fn` or `async fn` taking `&self`): the method's doc comment and signature become the tool",
                );
                continue;
            };
            if let Some(again) = tool_attrs.get(1) {
                cx.error_spanned_by(
                    again,
                    "#[tool] is given twice on this method; keep one (with all its options)",
                );
            }
            let args = match &first.meta {
                Meta::Path(_) => TokenStream::new(),
                Meta::List(list) => list.tokens.clone(),
                Meta::NameValue(_) => {
                    cx.error_spanned_by(first, "expected `#[tool]` or `#[tool(options...)]`");
                    continue;
                }
            };
            let function = ItemFn {
                attrs: method.attrs.clone(),
                vis: method.vis.clone(),
                sig: method.sig.clone(),
                block: Box::new(method.block.clone()),
            };
            strip_param_attrs(&mut method.sig);
            methods.push(Method {
                args,
                item: function,
                cfgs: (method.attrs.iter())
                    .filter(|attr| attr.path().is_ident("cfg"))
                    .cloned()
                    .collect(),
            });
        }
        if methods.is_empty() && cx.error_count() == errors_before {
            cx.error_spanned_by(
                &item.self_ty,
                "this #[tools] impl has no #[tool] method: mark the methods the model may call with #[tool], or remove #[tools]",
            );
        }
        ToolImpl {
            item,
            krate,
            methods,
        }
    }
}

/// Reports `generic` at generic parameters, else `where_clause` at a `where` clause.
fn check_generics(cx: &Ctxt, generics: &Generics, generic: &str, where_clause: &str) {
    if !generics.params.is_empty() {
        cx.error_spanned_by(generics, generic);
    } else if let Some(clause) = &generics.where_clause {
        cx.error_spanned_by(clause, where_clause);
    }
}

/// `#[tool]`, `#[tool(...)]`, also written with a path: `#[tool_runtime::tool]`, or
/// `#[rt::tool]` where the runtime is re-exported (as `#[tools(crate = "...")]` says, but
/// written from wherever the impl is, so not necessarily the same path).
fn is_tool_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    path.segments
        .last()
        .is_some_and(|last| last.ident == "tool" && matches!(last.arguments, PathArguments::None))
}

/// Removes what `#[tool]` reads from parameters (their docs and `#[tool(...)]`), which the
/// compiler does not accept there.
pub(crate) fn strip_param_attrs(sig: &mut Signature) {
    // Reported by `ToolFn::from_ast`; the compiler's own errors for it would only repeat it.
    sig.variadic = None;
    for input in sig.inputs.iter_mut() {
        if let FnArg::Typed(typed) = input {
            typed
                .attrs
                .retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("tool"));
        }
    }
}

/// Reports a method's receiver that is not `&self`, and why it must be.
fn check_receiver(cx: &Ctxt, receiver: &Receiver) {
    let message = match &*receiver.ty {
        Type::Reference(reference) if reference.mutability.is_none() => return,
        Type::Reference(_) => "a tool method takes `&self`, not `&mut self`: calls run concurrently on the one registered value; keep what changes behind a `Mutex`, an `RwLock` or an atomic",
        _ if receiver.reference.is_none() && receiver.colon_token.is_none() => "a tool method takes `&self`, not `self`: the value stays in the registry and each call borrows it; write `&self`",
        _ => "a tool method takes `&self`: the registry holds the value in an `Arc` that its tools share, and lends it to each call; write `&self`",
    };
    cx.error_spanned_by(receiver, message);
}

/// In a method, `Self` in a parameter's type or default stands for the impl's type; the
/// generated code is outside the impl, so it is written out (at the `Self`, for errors).
pub(crate) fn resolve_self<T: ToTokens + syn::parse::Parse + Clone>(
    value: &T,
    host: Host<'_>,
) -> T {
    let Host::Method(self_ty) = host else {
        return value.clone();
    };
    // `Path::<Args>`: a type's path that is also valid where an expression is (`Self(3)`).
    let self_tokens = match self_ty {
        Type::Path(path) if path.qself.is_none() => {
            let mut path = path.clone();
            for segment in &mut path.path.segments {
                if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    args.colon2_token = Some(Default::default());
                }
            }
            path.into_token_stream()
        }
        other => quote::quote!(<#other>),
    };
    fn replace(tokens: TokenStream, self_tokens: &TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .flat_map(|token| match token {
                TokenTree::Ident(ident) if ident == "Self" => {
                    respan(self_tokens.clone(), ident.span())
                }
                TokenTree::Group(group) => {
                    let mut new = proc_macro2::Group::new(
                        group.delimiter(),
                        replace(group.stream(), self_tokens),
                    );
                    new.set_span(group.span());
                    TokenStream::from(TokenTree::Group(new))
                }
                other => TokenStream::from(other),
            })
            .collect()
    }
    fn respan(tokens: TokenStream, span: Span) -> TokenStream {
        tokens
            .into_iter()
            .map(|mut token| {
                if let TokenTree::Group(group) = &token {
                    let mut new =
                        proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                    new.set_span(span);
                    token = TokenTree::Group(new);
                }
                token.set_span(span);
                token
            })
            .collect()
    }
    syn::parse2(replace(value.to_token_stream(), &self_tokens)).unwrap_or_else(|_| value.clone())
}

/// A `&` or `impl Trait` in a parameter type: the model's arguments are parsed into owned
/// values of one concrete type, so neither can be filled in.
fn unsupported_type(ty: &Type) -> Option<syn::Error> {
    match ty {
        Type::Reference(reference) => {
            let owned = match &*reference.elem {
                Type::Path(path) if path.path.is_ident("str") => "`String`".to_owned(),
                Type::Slice(slice) => format!("`Vec<{}>`", type_text(&slice.elem)),
                elem => format!("`{}`", type_text(elem)),
            };
            Some(syn::Error::new_spanned(
                reference,
                format!("a tool parameter cannot borrow: the model's arguments are parsed into owned values; take {owned}"),
            ))
        }
        Type::ImplTrait(impl_trait) => Some(syn::Error::new_spanned(
            impl_trait,
            "a tool parameter cannot be `impl Trait`: the model's JSON needs one concrete type to deserialize into",
        )),
        Type::Array(array) => unsupported_type(&array.elem),
        Type::Group(group) => unsupported_type(&group.elem),
        Type::Paren(paren) => unsupported_type(&paren.elem),
        Type::Slice(slice) => unsupported_type(&slice.elem),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(unsupported_type),
        Type::Path(path) => path
            .path
            .segments
            .iter()
            .filter_map(|segment| match &segment.arguments {
                PathArguments::AngleBracketed(args) => Some(args),
                _ => None,
            })
            .flat_map(|args| &args.args)
            .find_map(|arg| match arg {
                GenericArgument::Type(ty) => unsupported_type(ty),
                _ => None,
            }),
        _ => None,
    }
}

/// A type as written, without the spaces token printing puts around `<`, `>`, `::`, `,`.
pub(crate) fn type_text(ty: &Type) -> String {
    let mut text = quote::ToTokens::to_token_stream(ty).to_string();
    for (spaced, tight) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// The last path segment of a type and its type arguments: `a::State<Db>` -> (`State`, [`Db`]).
fn last_segment(ty: &Type) -> Option<(String, Vec<Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let args = match &segment.arguments {
        PathArguments::None => Vec::new(),
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
            .collect(),
        PathArguments::Parenthesized(_) => return None,
    };
    Some((segment.ident.to_string(), args))
}
