//! The function's parameters: the struct the model's arguments are parsed into, their
//! schema, and the value each parameter is called with.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{Expr, Ident, Type};

use super::{deserialize, Private};
use crate::ast::{Param, ParamKind};
use crate::attr::ParamDefault;

/// One parameter of the tool function, with the code generated for it.
pub(super) struct Parameter<'a> {
    param: &'a Param,
    /// What the model reads about it (a model parameter's, from validation).
    description: Option<&'a str>,
    /// Its position among the function's parameters, which names what is generated for it
    /// (`__P2`, `__tool_state_2`): unique, and stable whatever the other parameters are.
    index: usize,
}

impl<'a> Parameter<'a> {
    /// The parameters of a function, with their descriptions (in the same order).
    pub(super) fn all(params: &'a [Param], descriptions: &'a [Option<String>]) -> Vec<Self> {
        params
            .iter()
            .zip(descriptions)
            .enumerate()
            .map(|(index, (param, description))| Parameter {
                param,
                description: description.as_deref(),
                index,
            })
            .collect()
    }

    /// Whether the model fills it in (else it is state or the call's context).
    pub(super) fn is_model(&self) -> bool {
        matches!(self.param.kind, ParamKind::Model)
    }

    pub(super) fn ty(&self) -> &'a Type {
        &self.param.ty
    }

    /// The generic parameter standing for a model parameter's type where it must be
    /// a tool parameter (see `arguments` below).
    pub(super) fn type_param(&self) -> Ident {
        format_ident!("__P{}", self.index)
    }

    /// Its field in the arguments struct: optional when it has a default.
    pub(super) fn field(&self) -> TokenStream {
        let ident = &self.param.ident;
        let type_param = self.type_param();
        match self.param.default {
            None => quote!(#ident: #type_param),
            // Absent (or `null`) is `None`, which `call_arg` replaces with the default.
            Some(_) => quote!(#ident: ::std::option::Option<#type_param>),
        }
    }

    /// The local holding the JSON of its default, for the schema.
    fn default_local(&self) -> Ident {
        format_ident!("__tool_default_json_{}", self.index)
    }

    /// The function returning its default, when it has one.
    fn default_fn_ident(&self) -> Ident {
        format_ident!("__tool_default_{}", self.index)
    }

    /// Its field's name in the arguments struct.
    pub(super) fn ident(&self) -> &'a Ident {
        &self.param.ident
    }

    /// Its name in the model's JSON arguments.
    pub(super) fn json_name(&self) -> String {
        self.param.json_name()
    }

    /// Its row in the table of the parameters' schema.
    fn schema_row(&self, private: Private<'_>) -> TokenStream {
        let type_param = self.type_param();
        let json_name = self.param.json_name();
        let description = match self.description {
            Some(text) => quote!(::std::option::Option::Some(#text)),
            None => quote!(::std::option::Option::None),
        };
        let required = self.param.default.is_none() && !self.param.is_option();
        let default_local = self.default_local();
        quote! {
            #private::Parameter {
                name: #json_name,
                description: #description,
                required: #required,
                default: #default_local,
                schema: #private::schema_of::<#type_param>,
            }
        }
    }

    /// The default is written once, in a function of its own: a mistake in it is reported
    /// once, at the expression (or at `default`).
    pub(super) fn default_fn(&self) -> Option<TokenStream> {
        let (default, span) = self.param.default.as_ref()?;
        let default_fn = self.default_fn_ident();
        let ty = self.ty();
        let value = match default {
            ParamDefault::Trait => quote_spanned!(*span=> ::std::default::Default::default()),
            ParamDefault::Expr(expr) => quote!(#expr),
        };
        Some(quote! {
            fn #default_fn() -> #ty {
                #value
            }
        })
    }

    /// The schema's `default` for it: its value, when it is a literal, a path (an enum
    /// variant, a constant) or the type's `Default`, and serializable. Other expressions
    /// are evaluated per call and could differ from any value shown.
    pub(super) fn default_json(&self, private: Private<'_>) -> TokenStream {
        let none = quote!(::std::option::Option::None);
        let Some((default, _)) = &self.param.default else {
            return none;
        };
        if let ParamDefault::Expr(expr) = default {
            if !is_constant(expr) {
                return none;
            }
        }
        let default_fn = self.default_fn_ident();
        let ty = self.ty();
        quote! {{
            let __tool_default: #ty = #default_fn();
            (&#private::DefaultValue(&__tool_default)).__tool_default_json()
        }}
    }

    /// The state it needs from the registry, if it is `State<T>`.
    pub(super) fn state_key(&self, private: Private<'_>) -> Option<TokenStream> {
        match &self.param.kind {
            ParamKind::State(inner) => Some(quote!(#private::StateKey::of::<#inner>())),
            _ => None,
        }
    }

    /// The local it is read into before the call, if it is not the model's.
    pub(super) fn local(&self, private: Private<'_>) -> Option<TokenStream> {
        let local = self.local_ident()?;
        Some(match &self.param.kind {
            ParamKind::State(inner) => {
                quote! {
                    let #local = match #private::state::<#inner>(&__tool_input) {
                        ::std::result::Result::Ok(__tool_state) => __tool_state,
                        ::std::result::Result::Err(__tool_error) => break '__tool ::std::result::Result::Err(__tool_error),
                    };
                }
            }
            _ => quote!(let #local = #private::call_context(&__tool_input);),
        })
    }

    fn local_ident(&self) -> Option<Ident> {
        match &self.param.kind {
            ParamKind::Model => None,
            ParamKind::State(_) => Some(format_ident!("__tool_state_{}", self.index)),
            ParamKind::Context => Some(format_ident!("__tool_context_{}", self.index)),
        }
    }

    /// What it is called with.
    pub(super) fn call_arg(&self) -> TokenStream {
        if let Some(local) = self.local_ident() {
            return quote!(#local);
        }
        let ident = &self.param.ident;
        match &self.param.default {
            None => quote!(__tool_arguments.#ident),
            Some(_) => {
                let default_fn = self.default_fn_ident();
                quote!(__tool_arguments.#ident.unwrap_or_else(#default_fn))
            }
        }
    }
}

/// The arguments struct `__ToolArguments` and `__TOOL_FNS`: the functions that build the
/// parameters' schema and parse a call's arguments.
///
/// Everything that needs the parameter types to be tool parameters (`ToolParameterDeserialize`
/// and `ToolParameterSchema`) is generic over them and instantiated once, in `__TOOL_FNS`: a
/// type that is not is reported once per missing trait, at the type in the signature, with
/// that trait's message.
pub(super) fn arguments(params: &[Parameter<'_>], private: Private<'_>) -> TokenStream {
    let model: Vec<&Parameter<'_>> = params.iter().filter(|p| p.is_model()).collect();
    let model_count = model.len();
    let fields = model.iter().map(|p| p.field());
    let schema_rows = model.iter().map(|p| p.schema_row(private));
    let default_locals = model.iter().map(|p| p.default_local());
    let type_params: Vec<Ident> = model.iter().map(|p| p.type_param()).collect();
    let model_types = model.iter().map(|p| p.ty());

    let (generics, bounded_generics, turbofish, concrete, concrete_turbofish) =
        if type_params.is_empty() {
            Default::default()
        } else {
            // Two bounds rather than `ToolParameter`: a type missing one of them is
            // reported with that one's message, which says what to derive.
            let bound = quote!(#private::ToolParameterDeserialize + #private::ToolParameterSchema);
            let model_types: Vec<_> = model_types.collect();
            (
                quote!(<#(#type_params),*>),
                quote!(<#(#type_params: #bound),*>),
                quote!(::<#(#type_params),*>),
                quote!(<#(#model_types),*>),
                quote!(::<#(#model_types),*>),
            )
        };
    let deserialize = deserialize::deserialize_impl(&model, &type_params, private);

    quote! {
        struct __ToolArguments #generics {
            #(#fields,)*
        }

        #deserialize

        const fn __tool_fns #bounded_generics () -> #private::ToolFns<__ToolArguments #generics, #model_count> {
            fn __tool_parameters #bounded_generics (
                __tool_defaults: [::std::option::Option<#private::serde_json::Value>; #model_count],
            ) -> #private::serde_json::Value {
                let [#(#default_locals),*] = __tool_defaults;
                #private::parameters(&mut [#(#schema_rows),*])
            }
            #private::ToolFns {
                parameters: __tool_parameters #turbofish,
                // The runtime's parse, instantiated for this struct: no function of its own.
                arguments: #private::parse_arguments::<__ToolArguments #generics>,
            }
        }

        const __TOOL_FNS: #private::ToolFns<__ToolArguments #concrete, #model_count> =
            __tool_fns #concrete_turbofish ();
    }
}

/// Whether a default expression is one whose value can be shown in the schema.
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
