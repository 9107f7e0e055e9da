//! A request's options as body fields: what every client does the same way. Each client's
//! `wire.rs` says which options its provider has and under which names; here are the
//! refusal of an option a provider lacks, the numbers JSON cannot carry, and the extra
//! body fields, which never replace a field the client writes.

use serde_json::{Map, Value};

use crate::chat::{ModelError, RequestOptions};

/// Refuses `option` (a [`RequestOptions`] field) when `set`: `api` (e.g. "OpenAI's
/// Responses API") has no such parameter. `elsewhere` says where it exists.
pub(crate) fn refuse_if(
    set: bool,
    option: &str,
    api: &str,
    elsewhere: &str,
) -> Result<(), ModelError> {
    if set {
        return Err(ModelError::InvalidRequest(format!(
            "{api} has no `{option}` parameter; leave RequestOptions::{option} unset for \
             this client ({elsewhere})"
        )));
    }
    Ok(())
}

/// `temperature` and `top_p` when set, under those names (every provider's). A number
/// that is not finite is refused: JSON has no NaN or infinity (serde_json would write
/// `null`, which a provider reads as "unset" or refuses).
pub(crate) fn insert_sampling(
    body: &mut Map<String, Value>,
    options: &RequestOptions,
) -> Result<(), ModelError> {
    for (name, value) in [
        ("temperature", options.temperature),
        ("top_p", options.top_p),
    ] {
        let Some(value) = value else { continue };
        if !value.is_finite() {
            return Err(ModelError::InvalidRequest(format!(
                "RequestOptions::{name} is {value}; it must be a finite number"
            )));
        }
        body.insert(name.into(), value.into());
    }
    Ok(())
}

/// Adds the request's extra body fields to `body`. A field named in `written` (every
/// field `client` may write, whether or not this request sets it) is refused: extra
/// fields add to the body, never change what the client wrote, so a request means the
/// same with or without tools, streamed or not.
pub(crate) fn insert_extra(
    body: &mut Map<String, Value>,
    options: &RequestOptions,
    written: &[&str],
    client: &str,
) -> Result<(), ModelError> {
    for (key, value) in &options.extra_body {
        if written.contains(&key.as_str()) || body.contains_key(key) {
            return Err(ModelError::InvalidRequest(format!(
                "the extra body field `{key}` is one the {client} writes itself; extra \
                 fields never replace those (set it through RequestOptions or ClientConfig, \
                 or leave it out)"
            )));
        }
        body.insert(key.clone(), value.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_json_cannot_carry_are_refused() {
        let mut body = Map::new();
        let options = RequestOptions::default().with_temperature(f64::NAN);
        let error = insert_sampling(&mut body, &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the request was not sent: RequestOptions::temperature is NaN; it must be a finite number"
        );
        let options = RequestOptions::default().with_top_p(f64::INFINITY);
        let error = insert_sampling(&mut body, &options).unwrap_err();
        assert!(error.to_string().contains("top_p is inf"), "{error}");
        let options = RequestOptions::default()
            .with_temperature(0.0)
            .with_top_p(0.5);
        insert_sampling(&mut body, &options).unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"temperature": 0.0, "top_p": 0.5})
        );
    }

    #[test]
    fn extra_fields_add_and_never_replace() {
        let mut body = Map::new();
        body.insert("model".into(), "m".into());
        let options = RequestOptions::default().with_extra_field("top_k", 20);
        insert_extra(&mut body, &options, &["model", "stop"], "test client").unwrap();
        assert_eq!(
            Value::Object(body.clone()),
            json!({"model": "m", "top_k": 20})
        );
        // Written by the client in other requests (here: not set), still refused.
        let options = RequestOptions::default().with_extra_field("stop", "x");
        let error = insert_extra(&mut body, &options, &["model", "stop"], "test client");
        assert!(error
            .unwrap_err()
            .to_string()
            .contains("`stop` is one the test client writes"),);
    }
}
