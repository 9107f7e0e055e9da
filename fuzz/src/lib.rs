//! What the fuzz targets share: cutting an input into pieces, building JSON from fuzz
//! bytes, feeding stream decoders, and the catalogue of rich-signature tools.

pub mod catalogue;
pub mod cuts;
pub mod json;
pub mod schema_value;
pub mod streams;
