//! The function `#[tool]` is on, read into what the expansion needs.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, Type};

use crate::attr::{ParamAttr, ParamDefault};
use crate::docs::{self, DocLine};

pub struct ToolFn {
    /// The function as it is emitted: parameter attributes of ours removed.
    pub item: ItemFn,
    pub docs: Vec<DocLine>,
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
    State(Type),
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
        if let Some(param) = sig.generics.params.first() {
            errors.push(syn::Error::new(
                param.span(),
                "a tool cannot be generic: the model's arguments need one concrete type; write a tool per type, or take an enum",
            ));
        } else if let Some(clause) = &sig.generics.where_clause {
            errors.push(syn::Error::new(
                clause.span(),
                "a tool cannot have a `where` clause",
            ));
        }
        if let Some(unsafety) = &sig.unsafety {
            errors.push(syn::Error::new(
                unsafety.span(),
                "a tool cannot be an `unsafe fn`: a model's call cannot uphold its safety contract",
            ));
        }
        if let Some(variadic) = &sig.variadic {
            errors.push(syn::Error::new(
                variadic.span(),
                "a tool cannot be variadic",
            ));
        }

        let mut params = Vec::new();
        for input in item.sig.inputs.iter_mut() {
            let typed = match input {
                FnArg::Receiver(receiver) => {
                    errors.push(syn::Error::new(
                        receiver.span(),
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
                errors.push(syn::Error::new(
                    cfg.span(),
                    "a tool parameter cannot be conditional: its schema would not match the function",
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
                    errors.push(syn::Error::new(
                        other.span(),
                        "a tool parameter must be a plain name (`location: String`): the name becomes the property the model fills in",
                    ));
                    continue;
                }
            };
            if let Type::ImplTrait(impl_trait) = &*typed.ty {
                errors.push(syn::Error::new(
                    impl_trait.span(),
                    "a tool parameter cannot be `impl Trait`: the model's JSON needs one concrete type to deserialize into",
                ));
                continue;
            }
            let ty = (*typed.ty).clone();
            let kind = match last_segment(&ty) {
                Some((name, args)) if name == "State" && args.len() == 1 => {
                    ParamKind::State(args[0].clone())
                }
                Some((name, args)) if name == "CallContext" && args.is_empty() => {
                    ParamKind::Context
                }
                _ => ParamKind::Model,
            };
            params.push(Param {
                ident,
                ty,
                kind,
                docs: param_docs,
                default: attr.default,
            });
        }

        let docs = docs::lines(&item.attrs);
        match errors.into_iter().reduce(|mut all, error| {
            all.combine(error);
            all
        }) {
            Some(error) => Err(error),
            None => Ok(ToolFn { item, docs, params }),
        }
    }
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
