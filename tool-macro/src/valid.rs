//! Checks of what parsing alone cannot tell: the tool's name, that every parameter the model
//! fills in is described exactly once, and that options agree with each other.

use proc_macro2::Span;
use syn::{FnArg, GenericArgument, Ident, Path, PathArguments, ReturnType, Signature, Type};

use crate::ast::{self, ParamKind, ToolFn};
use crate::attr::ToolAttr;
use crate::ctxt::Ctxt;
use crate::docs;

/// What validation settles for the expansion.
pub(crate) struct Checked {
    pub(crate) name: String,
    /// Where the name comes from: the `name = "..."` option, or the function's name.
    pub(crate) name_span: Span,
    pub(crate) description: String,
    /// Per parameter, in order: its description, if any.
    pub(crate) param_descriptions: Vec<Option<String>>,
}

/// Checks a tool whose attribute and function were read without errors; `None` if it has
/// an error (all of them reported).
pub(crate) fn validate(cx: &Ctxt, attr: &ToolAttr, tool: &ToolFn) -> Option<Checked> {
    let errors_before = cx.error_count();
    let fn_ident = &tool.item.sig.ident;

    let (name, name_span) = match &attr.name {
        Some(name) => (name.value(), name.span()),
        None => (ast::unraw(fn_ident), fn_ident.span()),
    };
    if !is_portable_name(&name) {
        // A suggestion for an explicit name (a space, a dot); a function name that is not
        // portable has non-ASCII letters, which have no good automatic replacement.
        let fix = match (attr.name.is_some(), portable_suggestion(&name)) {
            (true, Some(suggestion)) => format!("; for example `{suggestion}`"),
            (true, None) => String::new(),
            (false, _) => "; set one with #[tool(name = \"...\")]".to_owned(),
        };
        let fix = match name.chars().count() {
            length if length > 64 => format!("; it has {length} characters{fix}"),
            _ => fix,
        };
        cx.error_at(name_span, format!(
            "tool name `{name}` is not portable: it must match ^[a-zA-Z_][a-zA-Z0-9_-]{{0,63}}$ (ASCII letters, digits, `_` and `-`, at most 64, not starting with a digit){fix}"
        ));
    }

    let parsed = docs::parse(cx, &tool.docs);
    let allow_missing = attr.allow_missing_docs.is_some();
    let description = match (&attr.description, &parsed) {
        (Some(text), _) => {
            if text.value().trim().is_empty() {
                cx.error_at(
                    text.span(),
                    "the description is empty: the model chooses tools by it; say what the tool does, or remove `description` to use the doc comment"
                );
            }
            text.value().trim().to_owned()
        }
        (None, Some(parsed)) => parsed.description.clone(),
        (None, None) => String::new(),
    };
    if description.is_empty() && parsed.is_some() && attr.description.is_none() && !allow_missing {
        if let Some(span) = tool.opaque_docs {
            cx.error_at(span, format!(
                "#[tool] cannot read this doc comment (it is not a string literal), so tool `{name}` has no description; write the model's text with #[tool(description = \"...\")]"
            ));
        } else {
            cx.error_at(fn_ident.span(), format!(
            "tool `{name}` has no description: the model chooses tools by it; add a doc comment (`/// What it does.`) or #[tool(description = \"...\")]"
        ));
        }
    }

    if let (Some(destructive), Some(_)) = (attr.destructive, attr.read_only) {
        cx.error_at(
            destructive,
            "a tool cannot be both `destructive` and `read_only`: one that deletes or overwrites data does not only read; keep one"
        );
    }

    let arguments = parsed
        .as_ref()
        .map(|p| p.arguments.as_slice())
        .unwrap_or_default();
    // A name that is not a parameter is most likely a parameter's old or misspelled name:
    // that error alone is reported, not also the parameter left undocumented.
    let mut unknown_documented = false;
    for documented in arguments {
        let known = tool.params.iter().any(|p| p.json_name() == documented.name);
        if !known {
            unknown_documented = true;
            let names: Vec<String> = tool
                .params
                .iter()
                .map(|p| format!("`{}`", p.json_name()))
                .collect();
            let expected = if names.is_empty() {
                "it has none".to_owned()
            } else {
                format!("its parameters are {}", names.join(", "))
            };
            cx.error_at(documented.span, format!(
                "`# Arguments` documents `{}`, which is not a parameter of `{fn_ident}`; {expected}",
                documented.name
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for documented in arguments {
        if seen.contains(&documented.name.as_str()) {
            cx.error_at(
                documented.span,
                format!(
                    "`{}` is documented twice in `# Arguments`; keep one",
                    documented.name
                ),
            );
        }
        seen.push(&documented.name);
    }

    let mut param_descriptions = Vec::new();
    for param in &tool.params {
        let json_name = param.json_name();
        let in_section = arguments.iter().find(|a| a.name == json_name);
        let own = (!param.docs.is_empty()).then(|| docs::paragraph(&param.docs));
        if let ParamKind::Model = param.kind {
        } else {
            if let Some((_, span)) = &param.default {
                cx.error_at(*span, "a `State` or `CallContext` parameter cannot have a default: the model never fills it in; remove `default`");
            }
            param_descriptions.push(None);
            continue;
        }
        let description = match (in_section, own) {
            (Some(_), Some(_)) => {
                cx.error_at(param.docs[0].span, format!(
                    "parameter `{json_name}` is documented twice: here and in `# Arguments`; keep one"
                ));
                None
            }
            (Some(documented), None) => Some(documented.text.clone()),
            (None, Some(own)) if own.trim().is_empty() => {
                cx.error_at(
                    param.docs[0].span,
                    format!("the description of parameter `{json_name}` is empty: say what the model should put in it"),
                );
                None
            }
            (None, Some(own)) => Some(own),
            (None, None) => {
                // When the doc comment could not be read, or names a parameter that does not
                // exist, that is the mistake to report.
                if !allow_missing && parsed.is_some() && !unknown_documented {
                    cx.error_at(param.ident.span(), format!(
                        "parameter `{json_name}` is not documented: the model reads its description; add `/// ...` above it, or a line `* {json_name} - ...` under `# Arguments` in the function's doc comment, or opt out with #[tool(allow_missing_docs)]"
                    ));
                }
                None
            }
        };
        param_descriptions.push(description);
    }

    (cx.error_count() == errors_before).then_some(Checked {
        name,
        name_span,
        description,
        param_descriptions,
    })
}

/// The first type in `sig` (a parameter's or the return type, or one inside them, as in
/// `Json<Report>`) that the tool's struct `struct_ident` would clash with: one named by the
/// struct's name alone (or `self::Name`), so in the scope the struct is added to. A type
/// named through another module (`models::Report`) does not clash, and is not reported.
pub(crate) fn struct_clash<'a>(struct_ident: &Ident, sig: &'a Signature) -> Option<&'a Path> {
    let params = sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed) => Some(&*typed.ty),
        FnArg::Receiver(_) => None,
    });
    let output = match &sig.output {
        ReturnType::Type(_, ty) => Some(&**ty),
        ReturnType::Default => None,
    };
    params
        .chain(output)
        .find_map(|ty| clashing_path(ty, struct_ident))
}

/// The first path in `ty` that names `ident` in the current scope.
fn clashing_path<'a>(ty: &'a Type, ident: &Ident) -> Option<&'a Path> {
    match ty {
        Type::Path(path) => {
            let segments = &path.path.segments;
            let in_scope = path.qself.is_none()
                && path.path.leading_colon.is_none()
                && match segments.len() {
                    1 => true,
                    2 => segments[0].ident == "self",
                    _ => false,
                };
            if in_scope && segments.last().is_some_and(|last| last.ident == *ident) {
                return Some(&path.path);
            }
            let qself = path.qself.as_ref().map(|qself| &*qself.ty);
            let args = segments
                .iter()
                .filter_map(|segment| match &segment.arguments {
                    PathArguments::AngleBracketed(args) => Some(args),
                    _ => None,
                })
                .flat_map(|args| &args.args)
                .filter_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                });
            qself
                .into_iter()
                .chain(args)
                .find_map(|ty| clashing_path(ty, ident))
        }
        Type::Reference(reference) => clashing_path(&reference.elem, ident),
        Type::Ptr(pointer) => clashing_path(&pointer.elem, ident),
        Type::Array(array) => clashing_path(&array.elem, ident),
        Type::Slice(slice) => clashing_path(&slice.elem, ident),
        Type::Group(group) => clashing_path(&group.elem, ident),
        Type::Paren(paren) => clashing_path(&paren.elem, ident),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(|ty| clashing_path(ty, ident)),
        _ => None,
    }
}

/// Reports that the tool's struct would clash with `clash`, a type in the signature.
pub(crate) fn report_struct_clash(cx: &Ctxt, struct_ident: &Ident, fn_ident: &Ident, clash: &Path) {
    let fn_name = ast::unraw(fn_ident);
    let struct_name = ast::unraw(struct_ident);
    cx.error_spanned_by(clash, format!(
        "the tool struct `{struct_name}` that #[tool] generates for `{fn_name}` would clash with the type `{struct_name}` used in its signature; name the struct with #[tool(struct_name = \"{struct_name}Tool\")]"
    ));
}

/// A portable name close to `name`, when `name` has characters a portable name cannot
/// (a name that is only too long is left to its author to shorten).
fn portable_suggestion(name: &str) -> Option<String> {
    let mut suggestion: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if suggestion.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        suggestion.insert(0, '_');
    }
    (suggestion != name && is_portable_name(&suggestion)).then_some(suggestion)
}

/// `^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$`, as the runtime checks at registration.
fn is_portable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Host;

    /// The messages of the errors reported for `item` under `#[tool]` with no options.
    fn errors(item: syn::ItemFn) -> Vec<String> {
        let cx = Ctxt::new();
        let attr = ToolAttr::default();
        let checked =
            ToolFn::from_ast(&cx, item, Host::Free).and_then(|tool| validate(&cx, &attr, &tool));
        match cx.check() {
            Ok(()) => {
                assert!(checked.is_some());
                Vec::new()
            }
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_documented_tool_is_valid() {
        let item = syn::parse_quote! {
            /// Gets the weather.
            ///
            /// # Arguments
            /// * `city` - The city.
            fn weather(city: String, r#type: u8) {}
        };
        assert_eq!(
            errors(item),
            ["parameter `type` is not documented: the model reads its description; add `/// ...` above it, or a line `* type - ...` under `# Arguments` in the function's doc comment, or opt out with #[tool(allow_missing_docs)]"]
        );
    }

    #[test]
    fn an_argument_documented_twice() {
        let item = syn::parse_quote! {
            /// Gets the weather.
            ///
            /// # Arguments
            /// * `city` - The city.
            /// * `city` - Again.
            fn weather(city: String) {}
        };
        assert_eq!(
            errors(item),
            ["`city` is documented twice in `# Arguments`; keep one"]
        );
    }

    /// The text of the type `struct_clash` finds for a struct named `Report` in `item`.
    fn report_clash(item: &str) -> Option<String> {
        let item: syn::ItemFn = syn::parse_str(item).unwrap();
        let ident = Ident::new("Report", Span::call_site());
        struct_clash(&ident, &item.sig).map(|path| quote::quote!(#path).to_string())
    }

    #[test]
    fn a_struct_clashes_with_a_type_of_its_name_in_scope() {
        let cases = [
            ("fn report() -> Report {}", Some("Report")),
            (
                "fn report(a: Vec<(u8, &self::Report)>) {}",
                Some("self :: Report"),
            ),
            ("fn report() -> Result<Json<Report>, E> {}", Some("Report")),
            // Named through a module: not the name the struct takes. (`crate::Report` at
            // the crate root is, and left to the compiler's E0428, at the function's name.)
            ("fn report() -> models::Report {}", None),
            ("fn report() -> crate::Report {}", None),
            ("fn report(r: ReportKind) {}", None),
        ];
        for (item, expected) in cases {
            assert_eq!(report_clash(item).as_deref(), expected, "{item}");
        }
    }

    #[test]
    fn an_unknown_argument_is_reported_alone() {
        let item = syn::parse_quote! {
            /// Gets the weather.
            ///
            /// # Arguments
            /// * `town` - The city.
            fn weather(city: String) {}
        };
        assert_eq!(
            errors(item),
            ["`# Arguments` documents `town`, which is not a parameter of `weather`; its parameters are `city`"]
        );
    }
}
