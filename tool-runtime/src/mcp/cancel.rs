//! `notifications/cancelled` over stateless HTTP: the notification comes in a request of
//! its own, which rmcp answers 202 and forgets, so the calls in flight are kept here by
//! the client's address and the request's id, and a cancellation drops the call's
//! request (rmcp then cancels the handler, which stops the tool where it waits).
//!
//! There are no sessions to tell clients apart, so a call is found by the IP address
//! it came from and its id: a client can only cancel calls from its own address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::RequestId;
use tokio_util::sync::CancellationToken;

/// Where a call came from and its id.
type Key = (IpAddr, RequestId);

/// The calls in flight. Cheap to clone; its size is bounded by the connection cap (one
/// request at a time on an HTTP/1 connection).
#[derive(Clone, Debug, Default)]
pub(super) struct InFlight(Arc<Mutex<HashMap<Key, Entry>>>);

/// One id's token, shared by the calls in flight with that id (a client reusing an id
/// cancels them all).
#[derive(Debug)]
struct Entry {
    token: CancellationToken,
    calls: usize,
}

/// A call's registration: cancelled through [`InFlight::cancel`], removed when dropped.
#[derive(Debug)]
pub(super) struct Registration {
    in_flight: InFlight,
    key: Key,
    token: CancellationToken,
}

impl InFlight {
    /// Records a call from `ip` with `id` until the registration is dropped.
    pub(super) fn register(&self, ip: IpAddr, id: RequestId) -> Registration {
        let key = (ip, id);
        let mut calls = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = calls.entry(key.clone()).or_insert_with(|| Entry {
            token: CancellationToken::new(),
            calls: 0,
        });
        entry.calls = entry.calls.saturating_add(1);
        Registration {
            in_flight: self.clone(),
            key,
            token: entry.token.clone(),
        }
    }

    /// Cancels the calls from `ip` with `id`; false if there is none.
    pub(super) fn cancel(&self, ip: IpAddr, id: RequestId) -> bool {
        let calls = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match calls.get(&(ip, id)) {
            Some(entry) => {
                entry.token.cancel();
                true
            }
            None => false,
        }
    }
}

impl Registration {
    /// Completes when the call is cancelled.
    pub(super) async fn cancelled(&self) {
        self.token.cancelled().await;
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut calls = self
            .in_flight
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = calls.get_mut(&self.key) {
            entry.calls = entry.calls.saturating_sub(1);
            if entry.calls == 0 {
                calls.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use rmcp::model::RequestId;

    use super::InFlight;

    #[tokio::test]
    async fn a_call_is_cancelled_by_its_address_and_id_only_while_in_flight() {
        let in_flight = InFlight::default();
        let here = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let there = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let call = in_flight.register(here, RequestId::Number(7));
        assert!(!in_flight.cancel(there, RequestId::Number(7)));
        assert!(!in_flight.cancel(here, RequestId::Number(8)));
        assert!(in_flight.cancel(here, RequestId::Number(7)));
        call.cancelled().await;
        drop(call);
        assert!(!in_flight.cancel(here, RequestId::Number(7)));
        assert!(in_flight.0.lock().unwrap().is_empty());
    }
}
