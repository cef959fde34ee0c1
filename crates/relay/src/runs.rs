//! Bytes connections hold for runs of parts not yet complete, relay-wide and per client.
//!
//! A message larger than a frame arrives as a run of parts (`dreieck_sync::parts`), and the
//! connection holds what has come until the last part, up to `--max-message-bytes` (64 MiB).
//! Each connection's share is bounded, but a client with a thousand connections that starts a
//! run on each and never ends them would hold 64 GB. So the bytes held count against a
//! relay-wide budget and one per client address, and a run whose next part does not come in
//! time is dropped ([`crate::limits::SyncLimits::part_gap`]). Honest runs are rare (a long
//! offline day, a first share, the full state after a relay restart) and short-lived.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dreieck_sync::wire::code;

use crate::addresses::ClientKey;

#[derive(Debug, Default)]
struct Counts {
    total: u64,
    by_client: HashMap<ClientKey, u64>,
    /// Where `/metrics` reads the total.
    gauge: Arc<AtomicU64>,
}

/// The budgets and what is held against them.
#[derive(Debug)]
pub(crate) struct Runs {
    counts: Arc<Mutex<Counts>>,
    max_total: u64,
    max_per_client: u64,
}

/// One connection's share; given back when it shrinks or is dropped.
#[derive(Debug)]
pub(crate) struct Held {
    counts: Arc<Mutex<Counts>>,
    client: Option<ClientKey>,
    bytes: u64,
    max_total: u64,
    max_per_client: u64,
}

impl Runs {
    /// Budgets of `max_total` bytes in all and `max_per_client` per client; the total held is
    /// kept in `gauge` too.
    pub fn new(max_total: u64, max_per_client: u64, gauge: Arc<AtomicU64>) -> Runs {
        Runs {
            counts: Arc::new(Mutex::new(Counts {
                gauge,
                ..Counts::default()
            })),
            max_total,
            max_per_client,
        }
    }

    /// A share for a connection of `client` (`None`: counted relay-wide only), holding nothing.
    pub fn share(&self, client: Option<ClientKey>) -> Held {
        Held {
            counts: Arc::clone(&self.counts),
            client,
            bytes: 0,
            max_total: self.max_total,
            max_per_client: self.max_per_client,
        }
    }
}

impl Held {
    /// The connection now holds `bytes` for its run. Growing past a budget is refused with
    /// the code to answer: `RATE_LIMITED` for the client's (its other runs must end first),
    /// `RELAY_FULL` for the relay's. The share is then unchanged.
    pub fn set(&mut self, bytes: u64) -> Result<(), u16> {
        if bytes == self.bytes {
            return Ok(());
        }
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if bytes > self.bytes {
            let more = bytes - self.bytes;
            if let Some(client) = self.client {
                let mine = counts.by_client.get(&client).copied().unwrap_or(0);
                if mine.saturating_add(more) > self.max_per_client {
                    return Err(code::RATE_LIMITED);
                }
            }
            if counts.total.saturating_add(more) > self.max_total {
                return Err(code::RELAY_FULL);
            }
            counts.total += more;
            counts.gauge.store(counts.total, Ordering::Relaxed);
            if let Some(client) = self.client {
                *counts.by_client.entry(client).or_insert(0) += more;
            }
        } else {
            give_back(&mut counts, self.client, self.bytes - bytes);
        }
        self.bytes = bytes;
        Ok(())
    }
}

fn give_back(counts: &mut Counts, client: Option<ClientKey>, less: u64) {
    counts.total = counts.total.saturating_sub(less);
    counts.gauge.store(counts.total, Ordering::Relaxed);
    if let Some(client) = client {
        if let Some(n) = counts.by_client.get_mut(&client) {
            *n = n.saturating_sub(less);
            if *n == 0 {
                counts.by_client.remove(&client);
            }
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.bytes > 0 {
            let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
            give_back(&mut counts, self.client, self.bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(text: &str) -> Option<ClientKey> {
        ClientKey::forwarded(text)
    }

    #[test]
    fn a_client_holds_at_most_its_budget_and_all_at_most_the_relays() {
        let gauge = Arc::new(AtomicU64::new(0));
        let runs = Runs::new(250, 100, Arc::clone(&gauge));
        let total = || gauge.load(Ordering::Relaxed);
        let mut a1 = runs.share(client("192.0.2.1"));
        let mut a2 = runs.share(client("192.0.2.1"));
        assert_eq!(a1.set(60), Ok(()));
        assert_eq!(
            a2.set(50),
            Err(code::RATE_LIMITED),
            "110 > 100 for one client"
        );
        assert_eq!(a2.set(40), Ok(()));
        let mut b = runs.share(client("198.51.100.7"));
        let mut c = runs.share(client("203.0.113.9"));
        assert_eq!(b.set(100), Ok(()));
        assert_eq!(c.set(60), Err(code::RELAY_FULL), "260 > 250 in all");
        assert_eq!(total(), 200);
        // A run that ends gives its bytes back; so does a connection that goes.
        assert_eq!(a1.set(0), Ok(()));
        assert_eq!(c.set(60), Ok(()));
        drop(b);
        assert_eq!(total(), 100);
        assert_eq!(a2.set(100), Ok(()), "the client's budget is whole again");
        drop((a2, c));
        assert_eq!(total(), 0);
    }

    #[test]
    fn connections_of_unknown_clients_count_relay_wide() {
        let runs = Runs::new(100, 10, Arc::default());
        let mut a = runs.share(None);
        assert_eq!(a.set(80), Ok(()));
        let mut b = runs.share(None);
        assert_eq!(b.set(30), Err(code::RELAY_FULL));
    }
}
