//! One request to a provider: its headers, the send, the timeout of an attempt, and the
//! retries with backoff.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::Value;

use super::failure::Failure;
use super::{body, chain, excerpt, ClientConfig};
use crate::chat::ModelError;

/// How a provider says what went wrong, and which failures are worth another try.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ErrorPolicy {
    /// The message of an error body (parsed JSON), where the provider puts it; `None` when
    /// the body is not one of its errors (the body's text is reported instead).
    pub(crate) error_in: fn(&Value) -> Option<String>,
    /// Whether an answer with this status may succeed when the request is sent again.
    pub(crate) retryable: fn(StatusCode) -> bool,
}

impl ErrorPolicy {
    /// What an error body says: its message when it has one, otherwise its text (cut short).
    pub(crate) fn error_message(&self, body: &[u8]) -> String {
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|body| (self.error_in)(&body))
            .unwrap_or_else(|| excerpt(body))
    }
}

/// The statuses that say "not now" rather than "not this": `429` and every `5xx` (which
/// includes Anthropic's `529`, overloaded).
pub(crate) fn transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// One request: where it goes, its headers (beyond the content type and `Accept`, which the
/// transport sets) and its JSON body.
#[derive(Clone)]
pub(crate) struct Request<'a> {
    url: &'a str,
    headers: HeaderMap,
    /// A header whose value cannot be sent; the request fails with its name.
    invalid: Option<&'static str>,
    body: Vec<u8>,
}

impl<'a> Request<'a> {
    /// A `POST` of the JSON `body` to `url`.
    pub(crate) fn post(url: &'a str, body: Vec<u8>) -> Self {
        Self {
            url,
            headers: HeaderMap::new(),
            invalid: None,
            body,
        }
    }

    /// Adds the header `name` (lower case) with `value`.
    #[cfg_attr(not(feature = "anthropic"), allow(dead_code))] // `anthropic-version`
    pub(crate) fn header(self, name: &'static str, value: &str) -> Self {
        self.with(name, value, false)
    }

    /// Adds the header `name` (lower case) with a secret `value` (a key: never logged).
    pub(crate) fn secret(self, name: &'static str, value: &str) -> Self {
        self.with(name, value, true)
    }

    /// Adds `authorization: Bearer {token}`, a secret.
    #[cfg_attr(not(feature = "openai"), allow(dead_code))] // OpenAI's key
    pub(crate) fn bearer(self, token: &str) -> Self {
        self.secret("authorization", &format!("Bearer {token}"))
    }

    fn with(mut self, name: &'static str, value: &str, secret: bool) -> Self {
        match HeaderValue::from_str(value) {
            Ok(mut value) => {
                value.set_sensitive(secret);
                self.headers.insert(HeaderName::from_static(name), value);
            }
            Err(_) => self.invalid = self.invalid.or(Some(name)),
        }
        self
    }
}

/// The HTTP machinery a provider's client sends its requests with: a reqwest client, the
/// provider's [`ErrorPolicy`], and the timeout, retries and backoff it was configured with.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    http: Result<reqwest::Client, String>,
    dialect: ErrorPolicy,
    /// How long one attempt may take: all of a whole reply; until a stream starts, and then
    /// between two pieces of it.
    pub(crate) timeout: Duration,
    /// The most time one request may take in all, retries and waits included.
    pub(crate) total_timeout: Duration,
    /// The most bytes of a reply read: a whole body, or a stream's deltas together.
    pub(crate) max_reply_bytes: usize,
    /// How many times a failed request is retried.
    pub(crate) retries: u32,
    /// The wait before the first retry (doubling each time).
    pub(crate) backoff: Duration,
    /// The most any wait may be, a server's `Retry-After` included.
    pub(crate) max_backoff: Duration,
}

impl Transport {
    /// A transport for a provider whose errors follow `dialect`, with `config`'s timeout,
    /// retries and backoff.
    pub(crate) fn new(dialect: ErrorPolicy, config: &ClientConfig) -> Self {
        let http = reqwest::Client::builder()
            .build()
            .map_err(|error| format!("could not set up the HTTP client: {}", chain(&error)));
        Self {
            http,
            dialect,
            timeout: config.timeout(),
            total_timeout: config.total_timeout(),
            max_reply_bytes: config.max_reply_bytes(),
            retries: config.retries(),
            backoff: config.backoff().0,
            max_backoff: config.backoff().1,
        }
    }

    /// Sends `request` and reads the whole answer (at most `max_reply_bytes`), each
    /// attempt within the timeout and all of them within the total timeout, retrying
    /// transient failures; `parse` reads the body of a success (its errors are not retried).
    pub(crate) async fn complete<T>(
        &self,
        request: &Request<'_>,
        parse: impl Fn(&[u8]) -> Result<T, ModelError>,
    ) -> Result<T, ModelError> {
        let mut attempts = 0;
        let attempts = self.retrying(&mut attempts, || async {
            let read = async {
                let response = self.send(request, false).await?;
                body::whole(response, self.max_reply_bytes).await
            };
            let bytes = self.timed(read).await?;
            parse(&bytes).map_err(Failure::fatal)
        });
        match tokio::time::timeout(self.total_timeout, attempts).await {
            Ok(result) => result,
            Err(_) => Err(self.past_total()),
        }
    }

    /// The error of a request that ran past the total timeout.
    pub(super) fn past_total(&self) -> ModelError {
        ModelError::Transport(format!(
            "the reply took longer than the total limit of {:?} \
             (ClientConfig::with_total_timeout)",
            self.total_timeout
        ))
    }

    /// Sends `request` once; the response when the status is a success.
    pub(super) async fn send(
        &self,
        request: &Request<'_>,
        stream: bool,
    ) -> Result<reqwest::Response, Failure> {
        let http = self
            .http
            .as_ref()
            .map_err(|error| Failure::fatal(ModelError::Other(error.clone())))?;
        if let Some(name) = request.invalid {
            return Err(Failure::fatal(ModelError::Other(format!(
                "could not make the request: the value of the `{name}` header is not valid \
                 in HTTP (a line break or a control character?)"
            ))));
        }
        let accept = if stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        let response = http
            .post(request.url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, accept)
            .headers(request.headers.clone())
            .body(request.body.clone())
            .send()
            .await
            .map_err(Failure::http)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers());
        // Only a prefix: the message is near the start, and the body may be any size.
        let text = body::prefix(response)
            .await
            .map(|body| self.dialect.error_message(&body));
        let message = match text {
            Some(text) if !text.is_empty() => text,
            _ => status.canonical_reason().unwrap_or("no message").to_owned(),
        };
        Err(Failure {
            error: ModelError::Status {
                status: status.as_u16(),
                message,
            },
            retryable: (self.dialect.retryable)(status),
            retry_after,
        })
    }

    /// `attempt` within the timeout.
    pub(super) async fn timed<T>(
        &self,
        attempt: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(Failure::timeout(self.timeout)),
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent;
    /// `attempts` counts the retries made (shared with a stream's later reconnections).
    pub(super) async fn retrying<T, F, Fut>(
        &self,
        attempts: &mut u32,
        mut attempt: F,
    ) -> Result<T, ModelError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(failure) => {
                    if !self.wait_to_retry(attempts, &failure).await {
                        return Err(failure.error);
                    }
                }
            }
        }
    }

    /// Waits before retrying after `failure`; false when it must not be retried.
    pub(super) async fn wait_to_retry(&self, attempts: &mut u32, failure: &Failure) -> bool {
        if !failure.retryable || *attempts >= self.retries {
            return false;
        }
        let delay = match failure.retry_after {
            Some(wait) => wait.min(self.max_backoff),
            None => jittered(
                self.backoff
                    .saturating_mul(1u32.checked_shl(*attempts).unwrap_or(u32::MAX))
                    .min(self.max_backoff),
            ),
        };
        *attempts += 1;
        tokio::time::sleep(delay).await;
        true
    }
}

/// The wait a server asked for: `retry-after-ms` (OpenAI), or `Retry-After` in seconds.
/// (The HTTP-date form is ignored: the backoff applies.)
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    if let Some(millis) = number("retry-after-ms") {
        return Duration::try_from_secs_f64(millis / 1000.0).ok();
    }
    Duration::try_from_secs_f64(number("retry-after")?).ok()
}

/// Between half of `delay` and all of it, so clients that failed together do not retry
/// together.
fn jittered(delay: Duration) -> Duration {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = delay / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(random % nanos.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        headers.clear();
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "-1".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
        for _ in 0..20 {
            let delay = jittered(Duration::from_millis(100));
            assert!(delay >= Duration::from_millis(50) && delay <= Duration::from_millis(100));
        }
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn headers_keep_secrets_and_refuse_line_breaks() {
        let request = Request::post("http://localhost/v1", Vec::new())
            .bearer("sk-test")
            .header("anthropic-version", "2023-06-01");
        assert!(request.headers["authorization"].is_sensitive());
        assert!(!request.headers["anthropic-version"].is_sensitive());
        assert_eq!(request.invalid, None);
        let request = request.secret("x-api-key", "sk-\nbad");
        assert_eq!(request.invalid, Some("x-api-key"));
    }

    #[test]
    fn transient_statuses() {
        for status in [429, 500, 502, 503, 529] {
            assert!(transient(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 422] {
            assert!(
                !transient(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
    }
}
