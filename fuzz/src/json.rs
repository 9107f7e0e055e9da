//! JSON from fuzz bytes: parsed when the input is JSON text (the seed corpora are), else
//! built from the bytes with keys and strings from a vocabulary, so the fuzzer reaches the
//! shapes providers send without having to spell them.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

/// The input as JSON: parsed when it starts like a JSON object or array, else built.
pub fn value(data: &[u8], vocabulary: &[&str]) -> Value {
    if matches!(data.first(), Some(b'{' | b'[')) {
        if let Ok(value) = serde_json::from_slice(data) {
            return value;
        }
    }
    let mut u = Unstructured::new(data);
    build(&mut u, vocabulary, 0).unwrap_or(Value::Null)
}

/// Numbers where conversions break: widths' edges, floats that hold integers, huge ones.
pub const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "127",
    "128",
    "255",
    "256",
    "-129",
    "32767",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1.0",
    "-0.0",
    "0.5",
    "1e3",
    "1e20",
    "1e308",
    "-1e308",
    "3.4e39",
    "1.5",
];

/// A JSON value built from `u`, nested at most 6 deep.
pub fn build(u: &mut Unstructured<'_>, vocabulary: &[&str], depth: u32) -> Result<Value> {
    let kinds = if depth >= 6 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=kinds - 1)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3 => Value::String(word(u, vocabulary)?),
        4 => Value::String(u.arbitrary::<String>()?),
        5 => {
            let len = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(build(u, vocabulary, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let len = u.int_in_range(0..=5)?;
            let mut map = Map::new();
            for _ in 0..len {
                let key = word(u, vocabulary)?;
                map.insert(key, build(u, vocabulary, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

/// A number: an edge from [`NUMBERS`], or any integer or float.
pub fn number(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=2)? {
        0 => serde_json::from_str(u.choose(NUMBERS)?).unwrap_or(Value::Null),
        1 => Value::from(u.arbitrary::<i64>()?),
        _ => Number::from_f64(u.arbitrary::<f64>()?).map_or(Value::Null, Value::Number),
    })
}

/// A word of the vocabulary, or now and then any string.
pub fn word(u: &mut Unstructured<'_>, vocabulary: &[&str]) -> Result<String> {
    if vocabulary.is_empty() || u.ratio(1, 8)? {
        return u.arbitrary();
    }
    Ok((*u.choose(vocabulary)?).to_owned())
}
