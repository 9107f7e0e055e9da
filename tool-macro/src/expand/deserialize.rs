//! The arguments struct's `Deserialize`, written out rather than derived.
//!
//! A derive is an expansion nested in `#[tool]`'s: its hash, and so that of every item it
//! writes, changes with any edit above the tool, and the compiler then checks them all again
//! (see `unmarked`). Written here, in the tool's unmarked block, the impl is reused when
//! the tool did not change. It is also smaller than serde's: JSON arguments are always an
//! object (the runtime turns anything else away before parsing), so it reads a map only,
//! and which field a key names is a `match` the runtime's `FieldIndex` calls (its serde
//! glue is written once, in the runtime, rather than as a field enum and visitor per tool).
//! It behaves as `#[derive(Deserialize)] #[serde(deny_unknown_fields)]` does, errors
//! included: an unknown key, a field given twice, a missing field (but an `Option`, which
//! is `None`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::params::Parameter;
use super::Private;

/// `Deserialize` for `__ToolArguments`, generic over the model parameters' `type_params`
/// (each a `ToolParameterDeserialize`).
pub(super) fn deserialize_impl(
    model: &[&Parameter<'_>],
    type_params: &[Ident],
    private: Private<'_>,
) -> TokenStream {
    let de = quote!(#private::serde::de);
    let bound = quote!(#private::ToolParameterDeserialize);
    let generics = quote!(<#(#type_params),*>);
    let impl_generics = quote!(<'de #(, #type_params: #bound)*>);
    let visitor_generics = quote!(<#(#type_params: #bound),*>);
    let names: Vec<String> = model.iter().map(|p| p.json_name()).collect();
    let idents: Vec<&Ident> = model.iter().map(|p| p.ident()).collect();
    // The values read so far, named by position: a parameter's own name could be one of
    // this code's (`__map`).
    let locals: Vec<Ident> = (0..model.len())
        .map(|index| format_ident!("__tool_field_{}", index))
        .collect();
    let indices: Vec<usize> = (0..model.len()).collect();
    let result =
        |error: TokenStream| quote!(::std::result::Result<__ToolArguments #generics, #error>);
    let map_result = result(quote!(__M::Error));
    let deserializer_result = result(quote!(__D::Error));

    quote! {
        impl #impl_generics #de::Deserialize<'de> for __ToolArguments #generics {
            fn deserialize<__D: #de::Deserializer<'de>>(__deserializer: __D) -> #deserializer_result {
                struct __Fields;

                impl #private::ArgumentFields for __Fields {
                    const FIELDS: &'static [&'static str] = &[#(#names),*];

                    #[inline]
                    fn index(__key: &str) -> ::std::option::Option<usize> {
                        match __key {
                            #(#names => ::std::option::Option::Some(#indices),)*
                            _ => ::std::option::Option::None,
                        }
                    }
                }

                struct __Visitor #visitor_generics (
                    ::std::marker::PhantomData<fn() -> __ToolArguments #generics>,
                );

                impl #impl_generics #de::Visitor<'de> for __Visitor #generics {
                    type Value = __ToolArguments #generics;

                    fn expecting(&self, __formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        __formatter.write_str("struct __ToolArguments")
                    }

                    #[inline]
                    fn visit_map<__M: #de::MapAccess<'de>>(self, mut __map: __M) -> #map_result {
                        #(let mut #locals = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(__index) =
                            __map.next_key_seed(#private::FieldIndex::<__Fields>::new())?
                        {
                            match __index {
                                #(#indices => {
                                    if #locals.is_some() {
                                        return ::std::result::Result::Err(
                                            <__M::Error as #de::Error>::duplicate_field(#names),
                                        );
                                    }
                                    #locals = ::std::option::Option::Some(__map.next_value()?);
                                })*
                                // None: `FieldIndex` gives an index into `FIELDS`. (Not
                                // `unreachable!()`: a macro here would be an expansion.)
                                _ => {}
                            }
                        }
                        ::std::result::Result::Ok(__ToolArguments {
                            #(#idents: match #locals {
                                ::std::option::Option::Some(__value) => __value,
                                ::std::option::Option::None => #private::missing_field(#names)?,
                            },)*
                        })
                    }
                }

                __deserializer.deserialize_struct(
                    "__ToolArguments",
                    <__Fields as #private::ArgumentFields>::FIELDS,
                    __Visitor(::std::marker::PhantomData),
                )
            }
        }
    }
}
