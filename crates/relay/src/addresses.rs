//! Sync connections per client address, so that one machine cannot take every connection the
//! relay holds.
//!
//! Whom to count: the TCP peer, unless the peer is this machine itself. Then it is a reverse
//! proxy in front of the relay (TLS ends there, docs/contracts.md), and the client is the last
//! address in `X-Forwarded-For`, which that proxy appended. A header from anyone else is
//! ignored: only a process on this machine can connect over loopback. A connection from this
//! machine without a usable header is not counted per address (the relay-wide limit still
//! holds): counting it as 127.0.0.1 would let one client behind a proxy that sends no header
//! lock out everyone behind it. IPv6 addresses count by their /64 network, since one
//! household or one attacker gets a whole /64.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::http::HeaderMap;

use crate::limits::TokenBucket;

/// The key a client's connections are counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey(IpAddr);

impl ClientKey {
    /// Whom a connection counts for, from its TCP peer and its request headers; `None` when
    /// the peer is not known (in-process requests in tests).
    pub fn of(peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<ClientKey> {
        let peer = peer?.ip();
        let client = if peer.is_loopback() {
            forwarded_for(headers)?
        } else {
            peer
        };
        Some(ClientKey(network(client)))
    }
}

/// The last address of `X-Forwarded-For` (the one the proxy in front of us added), also
/// written with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()?
        .trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// IPv4 as it is; IPv6 by its /64 (an IPv4-mapped address as the IPv4 address).
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

impl ClientKey {
    /// The key of an address another instance forwarded (`X-Dreieck-Client`, trusted with
    /// the cluster secret only).
    pub fn forwarded(text: &str) -> Option<ClientKey> {
        text.trim()
            .parse::<IpAddr>()
            .ok()
            .map(|ip| ClientKey(network(ip)))
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Quiet clients' budgets are forgotten once this many are kept (a full bucket is the same as
/// none).
const KEPT_BUCKETS: usize = 4096;

/// A rate per client: one token bucket each.
#[derive(Debug, Default)]
struct Budgets(Mutex<HashMap<ClientKey, TokenBucket>>);

impl Budgets {
    /// `key`'s bucket (a full one if it had none or was forgotten), to use under the lock.
    fn with<T>(
        &self,
        key: ClientKey,
        rate: f64,
        burst: f64,
        now: Instant,
        f: impl FnOnce(&mut TokenBucket) -> T,
    ) -> T {
        let mut buckets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= KEPT_BUCKETS {
            buckets.retain(|_, bucket| !bucket.is_full(now));
        }
        f(buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::new(rate, burst, now)))
    }

    /// Whether `key` may do one more: `rate` per second sustained, `burst` at once.
    fn take(&self, key: ClientKey, rate: f64, burst: f64, now: Instant) -> bool {
        self.with(key, rate, burst, now, |bucket| bucket.take(now))
    }
}

/// Open connections, new-room budgets and connection attempts per client.
#[derive(Debug, Default)]
pub(crate) struct Addresses {
    open: Arc<Mutex<HashMap<ClientKey, usize>>>,
    new_rooms: Budgets,
    attempts: Budgets,
    bytes: Budgets,
}

/// One connection counted for a client until dropped.
#[derive(Debug)]
pub(crate) struct AddressSlot {
    open: Arc<Mutex<HashMap<ClientKey, usize>>>,
    key: ClientKey,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl Addresses {
    /// A slot for one more connection of `key`, or `None` if it holds `max` already.
    pub fn take(&self, key: ClientKey, max: usize) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(key).or_insert(0);
        if *n >= max {
            if *n == 0 {
                open.remove(&key);
            }
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            open: Arc::clone(&self.open),
            key,
        })
    }

    /// Whether `key` may create one more room: `per_hour` sustained, `burst` at once.
    pub fn take_new_room(&self, key: ClientKey, per_hour: f64, burst: f64, now: Instant) -> bool {
        self.new_rooms.take(key, per_hour / 3600.0, burst, now)
    }

    /// Takes `n` bytes `key`'s connections read from its budget of `per_second` sustained and
    /// `burst` at once; how long its reading must wait for them (zero within the budget).
    pub fn borrow_bytes(
        &self,
        key: ClientKey,
        n: f64,
        per_second: f64,
        burst: f64,
        now: Instant,
    ) -> std::time::Duration {
        self.bytes
            .with(key, per_second, burst, now, |bucket| bucket.borrow(n, now))
    }

    /// Whether `key` may open one more connection: `per_second` sustained, `burst` at once.
    pub fn take_attempt(&self, key: ClientKey, per_second: f64, burst: f64, now: Instant) -> bool {
        self.attempts.take(key, per_second, burst, now)
    }

    /// Clients with at least one open connection.
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    fn key(ip: &str) -> ClientKey {
        ClientKey(ip.parse().unwrap())
    }

    #[test]
    fn a_header_counts_only_from_a_proxy_on_this_machine_and_only_its_last_entry() {
        let remote: SocketAddr = "198.51.100.4:5000".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let forged = headers("203.0.113.9, 192.0.2.1");
        assert_eq!(
            ClientKey::of(Some(remote), &forged),
            Some(key("198.51.100.4"))
        );
        assert_eq!(ClientKey::of(Some(local), &forged), Some(key("192.0.2.1")));
        // A proxy that names nobody usable: not counted per address.
        assert_eq!(ClientKey::of(Some(local), &HeaderMap::new()), None);
        assert_eq!(ClientKey::of(Some(local), &headers("kein")), None);
        assert_eq!(
            ClientKey::of(Some(local), &headers("192.0.2.1:4711")),
            Some(key("192.0.2.1"))
        );
        assert_eq!(
            ClientKey::of(Some(local), &headers("[2001:db8::1]:4711")),
            Some(key("2001:db8::"))
        );
        assert_eq!(ClientKey::of(None, &forged), None);
    }

    #[test]
    fn ipv6_counts_by_its_network() {
        let a: SocketAddr = "[2001:db8:1:2:aaaa::1]:1".parse().unwrap();
        let b: SocketAddr = "[2001:db8:1:2:bbbb::9]:1".parse().unwrap();
        let c: SocketAddr = "[2001:db8:1:3::1]:1".parse().unwrap();
        let none = HeaderMap::new();
        assert_eq!(ClientKey::of(Some(a), &none), ClientKey::of(Some(b), &none));
        assert_ne!(ClientKey::of(Some(a), &none), ClientKey::of(Some(c), &none));
        let mapped: SocketAddr = "[::ffff:198.51.100.4]:1".parse().unwrap();
        assert_eq!(
            ClientKey::of(Some(mapped), &none),
            Some(key("198.51.100.4"))
        );
    }

    #[test]
    fn slots_up_to_the_limit_and_free_again_when_dropped() {
        let table = Addresses::default();
        let a = key("198.51.100.4");
        let first = table.take(a, 2).expect("first");
        let second = table.take(a, 2).expect("second");
        assert!(table.take(a, 2).is_none());
        assert!(
            table.take(key("198.51.100.5"), 2).is_some(),
            "others are not affected"
        );
        drop(first);
        let third = table.take(a, 2).expect("a freed slot");
        drop((second, third));
        assert_eq!(table.clients(), 0, "nobody left in the table");
        assert!(table.take(a, 0).is_none());
        assert_eq!(table.clients(), 0);
    }

    #[test]
    fn attempts_and_new_rooms_are_budgets_per_client() {
        let table = Addresses::default();
        let now = Instant::now();
        let (a, b) = (key("198.51.100.4"), key("198.51.100.5"));
        assert!((0..3).all(|_| table.take_attempt(a, 1.0, 3.0, now)));
        assert!(!table.take_attempt(a, 1.0, 3.0, now));
        assert!(
            table.take_attempt(b, 1.0, 3.0, now),
            "others are not affected"
        );
        assert!(table.take_attempt(a, 1.0, 3.0, now + std::time::Duration::from_secs(1)));
        // The two budgets are separate.
        assert!(table.take_new_room(a, 3600.0, 1.0, now));
        assert!(!table.take_new_room(a, 3600.0, 1.0, now));
    }
}
