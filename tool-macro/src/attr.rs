//! The options of `#[tool(...)]`, on the function and on its parameters.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, LitBool, LitStr, Meta};

const STRICT_FORMS: &str = "expected `strict`, `strict = true` or `strict = false`";
const DEFAULT_FORMS: &str =
    "expected `#[tool(default)]` (the type's `Default`) or `#[tool(default = <value>)]`";
const TOOL_OPTIONS: &str = "name, description, strict, destructive, needs_approval, read_only, idempotent, open_world, allow_missing_docs";

/// Options on the function: `#[tool(name = "...", destructive, ...)]`.
#[derive(Default)]
pub struct ToolAttr {
    pub name: Option<LitStr>,
    pub description: Option<LitStr>,
    /// `strict` alone means on.
    pub strict: Option<bool>,
    pub destructive: Option<Span>,
    pub needs_approval: Option<Span>,
    pub read_only: Option<Span>,
    pub idempotent: Option<Span>,
    pub open_world: Option<Span>,
    pub allow_missing_docs: Option<Span>,
}

impl ToolAttr {
    pub fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut attr = ToolAttr::default();
        let mut seen: Vec<String> = Vec::new();
        let parser = syn::meta::parser(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if seen.contains(&key) {
                return Err(meta.error(format!("`{key}` is given twice; remove one")));
            }
            seen.push(key.clone());
            let span = meta.path.segments[0].ident.span();
            match key.as_str() {
                "name" => attr.name = Some(string_value(&meta)?),
                "description" => attr.description = Some(string_value(&meta)?),
                "strict" => {
                    if meta.input.peek(syn::token::Paren) {
                        return Err(meta.error(STRICT_FORMS));
                    }
                    attr.strict = Some(if meta.input.peek(syn::Token![=]) {
                        let value: LitBool = meta
                            .value()?
                            .parse()
                            .map_err(|error| syn::Error::new(error.span(), STRICT_FORMS))?;
                        value.value
                    } else {
                        true
                    })
                }
                "destructive" => attr.destructive = Some(flag(&meta, span)?),
                "needs_approval" => attr.needs_approval = Some(flag(&meta, span)?),
                "read_only" => attr.read_only = Some(flag(&meta, span)?),
                "idempotent" => attr.idempotent = Some(flag(&meta, span)?),
                "open_world" => attr.open_world = Some(flag(&meta, span)?),
                "allow_missing_docs" => attr.allow_missing_docs = Some(flag(&meta, span)?),
                _ => {
                    return Err(meta.error(format!(
                        "unknown option `{}` of #[tool]; expected one of: {TOOL_OPTIONS}",
                        path_text(&meta)
                    )))
                }
            }
            Ok(())
        });
        syn::parse::Parser::parse2(parser, args)?;
        Ok(attr)
    }
}

/// A parameter's default: `#[tool(default)]` (its type's `Default`) or `#[tool(default = expr)]`.
pub enum ParamDefault {
    Trait,
    Expr(Expr),
}

/// Options on a parameter: `#[tool(default = 10)]`.
pub struct ParamAttr {
    pub default: Option<(ParamDefault, Span)>,
}

impl ParamAttr {
    /// Reads every `#[tool(...)]` among a parameter's attributes.
    pub fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut default = None;
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("tool")) {
            if let Meta::Path(_) | Meta::NameValue(_) = attr.meta {
                return Err(syn::Error::new_spanned(attr, DEFAULT_FORMS));
            }
            attr.parse_nested_meta(|meta| {
                if !meta.path.is_ident("default") {
                    return Err(meta.error(format!(
                        "unknown option `{}` of a tool parameter; {DEFAULT_FORMS}",
                        path_text(&meta)
                    )));
                }
                if default.is_some() {
                    return Err(meta.error("`default` is given twice; remove one"));
                }
                let span = meta.path.segments[0].ident.span();
                default = Some(if meta.input.peek(syn::Token![=]) {
                    let equals: syn::Token![=] = meta.input.parse()?;
                    if meta.input.is_empty() || meta.input.peek(syn::Token![,]) {
                        return Err(syn::Error::new(
                            equals.span,
                            format!("`default =` needs a value; {DEFAULT_FORMS}"),
                        ));
                    }
                    (ParamDefault::Expr(meta.input.parse()?), span)
                } else if meta.input.peek(syn::token::Paren) {
                    return Err(meta.error(DEFAULT_FORMS));
                } else {
                    (ParamDefault::Trait, span)
                });
                Ok(())
            })?;
        }
        Ok(Self { default })
    }
}

fn string_value(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let key = path_text(meta);
    let expected = format!("expected a string: `{key} = \"...\"`");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(expected));
    }
    meta.value()?
        .parse::<LitStr>()
        .map_err(|error| syn::Error::new(error.span(), expected))
}

fn flag(meta: &ParseNestedMeta, span: Span) -> syn::Result<Span> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = path_text(meta);
        return Err(meta.error(format!("`{key}` takes no value: write `#[tool({key})]`")));
    }
    Ok(span)
}

fn path_text(meta: &ParseNestedMeta) -> String {
    let segments: Vec<String> = meta
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.join("::")
}
