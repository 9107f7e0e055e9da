//! The function `#[tool]` is on, read into what the expansion needs.

use proc_macro2::Span;
use syn::{FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, Type};

use crate::attr::{ParamAttr, ParamDefault};
use crate::docs::{self, DocLine};

pub struct ToolFn {
    /// The function as it is emitted: parameter attributes of ours removed.
    pub item: ItemFn,
    pub docs: Vec<DocLine>,
    /// A doc attribute that is not a string literal (`include_str!`), if any.
    pub opaque_docs: Option<proc_macro2::Span>,
    pub params: Vec<Param>,
}

pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    pub kind: ParamKind,
    pub docs: Vec<DocLine>,
    pub default: Option<(ParamDefault, Span)>,
}

pub enum ParamKind {
    /// Filled from the model's arguments.
    Model,
    /// `State<T>`: filled from the registry's state; holds `T`.
    State(Box<Type>),
    /// `CallContext`.
    Context,
}

impl Param {
    /// The property name the model sees.
    pub fn json_name(&self) -> String {
        let name = self.ident.to_string();
        name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
    }

    /// `Option<T>` parameters may be omitted. Decided by the written type, as serde's
    /// derive does for `#[serde(default)]`-less fields.
    pub fn is_option(&self) -> bool {
        last_segment(&self.ty).is_some_and(|(ident, args)| ident == "Option" && args.len() == 1)
    }
}

impl ToolFn {
    pub fn parse(mut item: ItemFn) -> syn::Result<Self> {
        let mut errors: Vec<syn::Error> = Vec::new();
        let sig = &item.sig;
        if !sig.generics.params.is_empty() {
            errors.push(syn::Error::new_spanned(
                &sig.generics,
                "a tool cannot be generic: the model's arguments need one concrete type; write a tool per type, or take an enum",
            ));
        } else if let Some(clause) = &sig.generics.where_clause {
            errors.push(syn::Error::new_spanned(
                clause,
                "a tool cannot have a `where` clause: its types are concrete; remove it",
            ));
        }
        if let Some(unsafety) = &sig.unsafety {
            errors.push(syn::Error::new(
                unsafety.span,
                "a tool cannot be an `unsafe fn`: a model's call cannot uphold its safety contract; make the function safe, with an `unsafe` block inside it",
            ));
        }
        if let Some(variadic) = &sig.variadic {
            errors.push(syn::Error::new_spanned(
                variadic,
                "a tool cannot be variadic: the model fills in named parameters; take a `Vec<T>`",
            ));
        }

        let mut params = Vec::new();
        for input in item.sig.inputs.iter_mut() {
            let typed = match input {
                FnArg::Receiver(receiver) => {
                    errors.push(syn::Error::new_spanned(
                        &*receiver,
                        "#[tool] goes on free functions, not methods; take what `self` holds as a `State<T>` parameter",
                    ));
                    continue;
                }
                FnArg::Typed(typed) => typed,
            };
            let param_docs = docs::lines(&typed.attrs);
            let attr = ParamAttr::parse(&typed.attrs);
            if let Some(cfg) = typed
                .attrs
                .iter()
                .find(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
            {
                errors.push(syn::Error::new_spanned(
                    cfg,
                    "a tool parameter cannot be conditional: its schema would not match the function; put the `#[cfg]` on the whole function, or make the parameter an `Option`",
                ));
            }
            typed
                .attrs
                .retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("tool"));
            let attr = match attr {
                Ok(attr) => attr,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let ident = match &*typed.pat {
                Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                    pat.ident.clone()
                }
                other => {
                    errors.push(syn::Error::new_spanned(
                        other,
                        "a tool parameter must be a plain name (`location: String`): the name becomes the property the model fills in",
                    ));
                    continue;
                }
            };
            let ty = (*typed.ty).clone();
            let kind = match last_segment(&ty) {
                Some((name, args)) if name == "State" && args.len() == 1 => {
                    ParamKind::State(Box::new(args[0].clone()))
                }
                Some((name, args)) if name == "CallContext" && args.is_empty() => {
                    ParamKind::Context
                }
                _ => ParamKind::Model,
            };
            if let ParamKind::Model = kind {
                if let Some(error) = unsupported_type(&ty) {
                    errors.push(error);
                    continue;
                }
            }
            params.push(Param {
                ident,
                ty,
                kind,
                docs: param_docs,
                default: attr.default,
            });
        }

        let docs = docs::lines(&item.attrs);
        let opaque_docs = docs::opaque(&item.attrs);
        match errors.into_iter().reduce(|mut all, error| {
            all.combine(error);
            all
        }) {
            Some(error) => Err(error),
            None => Ok(ToolFn {
                item,
                docs,
                opaque_docs,
                params,
            }),
        }
    }
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
fn type_text(ty: &Type) -> String {
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
