//! The options of `#[tool(...)]` (on a function or method, and on its parameters) and of
//! `#[tools(...)]` (on an impl block).

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, Ident, LitBool, LitStr, Meta, Path};

use crate::ast::Host;
use crate::ctxt::Ctxt;
use crate::suggest;

const STRICT_FORMS: &str = "expected `strict`, `strict = true` or `strict = false`";
const DEFAULT_FORMS: &str =
    "expected `#[tool(default)]` (the type's `Default`) or `#[tool(default = <value>)]`";
/// The options of `#[tool(...)]` on a function, in the order its error lists them.
const TOOL_OPTIONS: [&str; 11] = [
    "name",
    "description",
    "strict",
    "destructive",
    "needs_approval",
    "read_only",
    "idempotent",
    "open_world",
    "allow_missing_docs",
    "struct_name",
    "crate",
];
/// The options of `#[tool(...)]` on a parameter.
const PARAM_OPTIONS: [&str; 1] = ["default"];
/// The options of `#[tools(...)]`.
const IMPL_OPTIONS: [&str; 1] = ["crate"];
const STRUCT_NAME_FORMS: &str = "expected the name of the tool's struct as a string, an identifier in UpperCamelCase: `struct_name = \"ReportTool\"`";
const CRATE_FORMS: &str = "expected the path of the runtime crate as a string: `crate = \"::tool_runtime\"`, or where your crate re-exports it, as in `crate = \"my_crate::tool_runtime\"`";

/// The runtime crate's path when no `crate = "..."` is given.
pub(crate) fn default_crate() -> Path {
    syn::parse_quote!(::tool_runtime)
}

/// Options on the function: `#[tool(name = "...", destructive, ...)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    /// `strict` alone means on.
    pub(crate) strict: Option<bool>,
    pub(crate) destructive: Option<Span>,
    pub(crate) needs_approval: Option<Span>,
    pub(crate) read_only: Option<Span>,
    pub(crate) idempotent: Option<Span>,
    pub(crate) open_world: Option<Span>,
    pub(crate) allow_missing_docs: Option<Span>,
    /// `struct_name = "ReportTool"`: the generated unit struct's name, for when the default
    /// (the function's name in UpperCamelCase) is taken by a type of the user's. The
    /// identifier carries the string's span.
    pub(crate) struct_name: Option<Ident>,
    /// `crate = "path"`: where the runtime is, for users who re-export or rename it.
    pub(crate) krate: Option<Path>,
}

impl ToolAttr {
    /// Reads the arguments of `#[tool(...)]`, reporting the first option it cannot read
    /// (syn's option parser stops there). `None` when there was one.
    pub(crate) fn from_args(cx: &Ctxt, args: TokenStream, host: Host<'_>) -> Option<Self> {
        let mut attr = ToolAttr::default();
        let mut seen = Seen::default();
        let parser = syn::meta::parser(|meta| {
            let key = seen.first_time(&meta)?;
            let span = key_span(&meta);
            match key.as_str() {
                "name" => attr.name = Some(string_value(&meta)?),
                "description" => attr.description = Some(string_value(&meta)?),
                "strict" => attr.strict = Some(strict_value(&meta)?),
                "destructive" => attr.destructive = Some(flag(&meta, span)?),
                "needs_approval" => attr.needs_approval = Some(flag(&meta, span)?),
                "read_only" => attr.read_only = Some(flag(&meta, span)?),
                "idempotent" => attr.idempotent = Some(flag(&meta, span)?),
                "open_world" => attr.open_world = Some(flag(&meta, span)?),
                "allow_missing_docs" => attr.allow_missing_docs = Some(flag(&meta, span)?),
                // A method's tool is generated next to the impl's `ToolSet`, which names the
                // runtime once for all of them.
                "crate" if matches!(host, Host::Method(_)) => {
                    return Err(meta.error(
                        "`crate` goes on the impl block, in #[tools(crate = \"...\")]: the tools of its methods use the impl's setting",
                    ))
                }
                // A method's tool struct is hidden in the expansion: no type of the user's
                // can clash with it, and nothing names it.
                "struct_name" if matches!(host, Host::Method(_)) => {
                    return Err(meta.error(
                        "`struct_name` is for a free function's tool: the struct of a #[tools] method's tool is hidden in the expansion, so it cannot clash with your types; remove it",
                    ))
                }
                "struct_name" => attr.struct_name = Some(struct_name_value(&meta)?),
                "crate" => attr.krate = Some(crate_value(&meta)?),
                _ => {
                    let unknown = path_text(&meta);
                    return Err(meta.error(match suggest::did_you_mean(&unknown, &TOOL_OPTIONS) {
                        Some(suggestion) => {
                            format!("unknown option `{unknown}` of #[tool]; {suggestion}")
                        }
                        None => format!(
                            "unknown option `{unknown}` of #[tool]; expected one of: {}",
                            TOOL_OPTIONS.join(", ")
                        ),
                    }));
                }
            }
            Ok(())
        });
        match syn::parse::Parser::parse2(parser, args) {
            Ok(()) => Some(attr),
            Err(error) => {
                cx.syn_error(error);
                None
            }
        }
    }
}

/// Options on an impl block: `#[tools(crate = "...")]`.
#[derive(Default)]
pub(crate) struct ImplAttr {
    pub(crate) krate: Option<Path>,
}

impl ImplAttr {
    /// Reads the arguments of `#[tools(...)]`. What it cannot read is reported, and the
    /// options read before it are kept: the methods' tools are still checked.
    pub(crate) fn from_args(cx: &Ctxt, args: TokenStream) -> Self {
        let mut attr = ImplAttr::default();
        let mut seen = Seen::default();
        let parser = syn::meta::parser(|meta| {
            let key = seen.first_time(&meta)?;
            if key != "crate" {
                // A tool's option is reported as one, even if close to `crate`.
                let suggestion = (!TOOL_OPTIONS.contains(&key.as_str()))
                    .then(|| suggest::did_you_mean(&key, &IMPL_OPTIONS))
                    .flatten();
                return Err(meta.error(match suggestion {
                    Some(suggestion) => format!("unknown option `{key}` of #[tools]; {suggestion}"),
                    None => format!(
                        "unknown option `{key}` of #[tools]: it takes only `crate = \"...\"`; the options of a tool go on its method, in #[tool(...)]"
                    ),
                }));
            }
            attr.krate = Some(crate_value(&meta)?);
            Ok(())
        });
        if let Err(error) = syn::parse::Parser::parse2(parser, args) {
            cx.syn_error(error);
        }
        attr
    }
}

/// A parameter's default: `#[tool(default)]` (its type's `Default`) or `#[tool(default = expr)]`.
pub(crate) enum ParamDefault {
    Trait,
    Expr(Expr),
}

/// Options on a parameter: `#[tool(default = 10)]`.
pub(crate) struct ParamAttr {
    /// The default, and the span of `default` (where an error in `Default` is reported).
    pub(crate) default: Option<(ParamDefault, Span)>,
}

impl ParamAttr {
    /// Reads every `#[tool(...)]` among a parameter's attributes; `None` if one has an error.
    pub(crate) fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Option<Self> {
        match Self::parse(attrs) {
            Ok(attr) => Some(attr),
            Err(error) => {
                cx.syn_error(error);
                None
            }
        }
    }

    fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut default = None;
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("tool")) {
            if let Meta::Path(_) | Meta::NameValue(_) = attr.meta {
                return Err(syn::Error::new_spanned(attr, DEFAULT_FORMS));
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    return Err(meta.error(
                        "`crate` goes on the function's #[tool(...)] (or an impl's #[tools(...)]), not on a parameter",
                    ));
                }
                if !meta.path.is_ident("default") {
                    let unknown = path_text(&meta);
                    return Err(meta.error(match suggest::did_you_mean(&unknown, &PARAM_OPTIONS) {
                        Some(suggestion) => {
                            format!("unknown option `{unknown}` of a tool parameter; {suggestion}")
                        }
                        None => format!("unknown option `{unknown}` of a tool parameter; {DEFAULT_FORMS}"),
                    }));
                }
                if default.is_some() {
                    return Err(meta.error("`default` is given twice; remove one"));
                }
                let span = key_span(&meta);
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

/// The option keys read so far, to report one given twice.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    /// The key of `meta`, or an error if it was given before.
    fn first_time(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
        let key = path_text(meta);
        if self.0.contains(&key) {
            return Err(meta.error(format!("`{key}` is given twice; remove one")));
        }
        self.0.push(key.clone());
        Ok(key)
    }
}

/// The span of an option's first path segment: where a flag's later errors point.
fn key_span(meta: &ParseNestedMeta<'_>) -> Span {
    meta.path
        .segments
        .first()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

fn string_value(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let key = path_text(meta);
    let expected = format!("expected a string: `{key} = \"...\"`");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(expected));
    }
    meta.value()?
        .parse::<LitStr>()
        .map_err(|error| syn::Error::new(error.span(), expected))
}

fn strict_value(meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if meta.input.peek(syn::token::Paren) {
        return Err(meta.error(STRICT_FORMS));
    }
    if !meta.input.peek(syn::Token![=]) {
        return Ok(true);
    }
    let value: LitBool = meta
        .value()?
        .parse()
        .map_err(|error| syn::Error::new(error.span(), STRICT_FORMS))?;
    Ok(value.value)
}

/// `crate = "path"`: a string holding a path without generic arguments. The path's tokens
/// carry the string's span, so an unresolved path is reported at the string.
fn crate_value(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(CRATE_FORMS));
    }
    let value = meta.value()?;
    let string: LitStr = value
        .parse()
        .map_err(|error| syn::Error::new(error.span(), CRATE_FORMS))?;
    string
        .parse_with(Path::parse_mod_style)
        .map_err(|_| syn::Error::new(string.span(), CRATE_FORMS))
}

/// `struct_name = "Name"`: a string holding a plain identifier (not a keyword, not raw),
/// made an identifier at the string's span, so that errors about the struct point there.
fn struct_name_value(meta: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(STRUCT_NAME_FORMS));
    }
    let string: LitStr = meta
        .value()?
        .parse()
        .map_err(|error| syn::Error::new(error.span(), STRUCT_NAME_FORMS))?;
    match syn::parse_str::<Ident>(&string.value()) {
        Ok(mut ident) if ident != "Self" => {
            ident.set_span(string.span());
            Ok(ident)
        }
        _ => Err(syn::Error::new(
            string.span(),
            format!(
                "`{}` is not a name a struct can have; {STRUCT_NAME_FORMS}",
                string.value()
            ),
        )),
    }
}

fn flag(meta: &ParseNestedMeta<'_>, span: Span) -> syn::Result<Span> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = path_text(meta);
        return Err(meta.error(format!("`{key}` takes no value: write `#[tool({key})]`")));
    }
    Ok(span)
}

fn path_text(meta: &ParseNestedMeta<'_>) -> String {
    let segments: Vec<String> = meta
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.join("::")
}
