//! The parts of a `#[tool]` arguments struct's `Deserialize` that do not depend on the tool:
//! which field a key names, and the value of a field the arguments left out. The expansion
//! writes the rest (a `visit_map` over its fields); these are compiled once per crate (per
//! field type for [`missing_field`]) rather than once per tool, as a derive's would be.
//!
//! They behave as serde's derive does with `deny_unknown_fields`, errors included.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// The fields of a tool's arguments struct, implemented by the expansion on a type of its
/// own: which field a key names is then a `match` on the tool's names, compiled for it,
/// as serde's derive would have it (a search of a table, shared by all tools, cost every
/// call more).
pub trait ArgumentFields {
    /// The fields' names in the model's JSON, in the order of their indices.
    const FIELDS: &'static [&'static str];

    /// The index of the field named `key`, if there is one.
    fn index(key: &str) -> Option<usize>;
}

/// Reads a key of the arguments object as the index of the field of `F` it names; a key
/// naming none is an error ("unknown field `x`, expected `a` or `b`").
pub struct FieldIndex<F>(PhantomData<F>);

impl<F: ArgumentFields> FieldIndex<F> {
    /// The seed of a key of `F`'s arguments object.
    #[inline]
    pub fn new() -> Self {
        FieldIndex(PhantomData)
    }
}

impl<F: ArgumentFields> Default for FieldIndex<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F> fmt::Debug for FieldIndex<F> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("FieldIndex")
    }
}

impl<'de, F: ArgumentFields> DeserializeSeed<'de> for FieldIndex<F> {
    type Value = usize;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<F: ArgumentFields> Visitor<'_> for FieldIndex<F> {
    type Value = usize;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        match F::index(key) {
            Some(index) => Ok(index),
            None => Err(E::unknown_field(key, F::FIELDS)),
        }
    }
}

/// The value of the field `name` when the arguments leave it out: `None` for an `Option`
/// (whatever its name: the type's `Deserialize` decides), else "missing field `name`".
pub fn missing_field<'de, T: de::Deserialize<'de>, E: de::Error>(
    name: &'static str,
) -> Result<T, E> {
    T::deserialize(Missing(name, PhantomData))
}

/// A deserializer with no value: an `Option` reads `None` from it, anything else fails.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Two;

    impl ArgumentFields for Two {
        const FIELDS: &'static [&'static str] = &["city", "days"];

        fn index(key: &str) -> Option<usize> {
            match key {
                "city" => Some(0),
                "days" => Some(1),
                _ => None,
            }
        }
    }

    fn key(text: &str) -> Result<usize, serde_json::Error> {
        FieldIndex::<Two>::new().deserialize(&mut serde_json::Deserializer::from_str(text))
    }

    #[test]
    fn a_key_is_the_index_of_its_field() {
        assert_eq!(key(r#""days""#).ok(), Some(1));
        assert_eq!(key(r#""ci\u0074y""#).ok(), Some(0));
    }

    #[test]
    fn an_unknown_key_is_serdes_unknown_field_error() {
        let error = key(r#""weeks""#).map(|_| ()).unwrap_err().to_string();
        assert!(
            error.starts_with("unknown field `weeks`, expected `city` or `days`"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_option_is_none_and_anything_else_an_error() {
        let none: Result<Option<u8>, serde_json::Error> = missing_field("limit");
        assert_eq!(none.ok(), Some(None));
        let error = missing_field::<u8, serde_json::Error>("limit").unwrap_err();
        assert_eq!(error.to_string(), "missing field `limit`");
    }
}
