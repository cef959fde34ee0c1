//! What the sync indicator shows: the state, since when, and how many changes wait.
//!
//! The indicator is a live region, so every change of its state is read out. It is worked out
//! from what the link knows ([`Observed`]) and from what it shows already
//! ([`SyncStatus::next`]): retries while there is no connection are not news, and the time a
//! state or a wait began stays put while it lasts.

use dreieck_texts::standard::STANDARD;

/// The connection as a person sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// The device has no network ("Kein Netz"); edits are kept and sent later.
    NoNetwork,
    /// The device is online but the relay does not answer ("Server nicht erreichbar").
    Unreachable,
    /// Connecting, being admitted, or catching up.
    Connecting,
    /// Live and caught up: what others type appears here.
    Synced,
    /// The relay refused this device for good (wrong key, outdated app); the German reason.
    Refused(String),
}

impl State {
    /// The value of the indicator's `data-state` attribute (tests and styles key on it).
    pub fn code(&self) -> &'static str {
        match self {
            State::NoNetwork | State::Unreachable => "offline",
            State::Connecting => "verbindet",
            State::Synced => "synchron",
            State::Refused(_) => "abgelehnt",
        }
    }

    /// Why there is no connection, for the indicator's `data-cause` (`None` when connected or
    /// connecting).
    pub fn cause(&self) -> Option<&'static str> {
        match self {
            State::NoNetwork => Some("kein-netz"),
            State::Unreachable => Some("server"),
            _ => None,
        }
    }

    /// What to show when the link reports `next` while `self` is shown. A retry while there
    /// is no connection is not news: the indicator (a live region) keeps saying "Kein Netz" or
    /// "Server nicht erreichbar" until the connection is back or refused, instead of
    /// announcing "Verbindet …" and the offline state again at every attempt.
    pub fn then(&self, next: State) -> State {
        match (self, next) {
            (State::NoNetwork | State::Unreachable, State::Connecting) => self.clone(),
            (_, next) => next,
        }
    }
}

/// Which way changes go between this device and the others, as the indicator names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// At least one device is connected directly (a data channel): "direkt verbunden".
    Direct,
    /// Through the relay only: "über den Server".
    Server,
    /// Neither: "nicht verbunden".
    None,
}

impl Path {
    /// The value of the indicator's `data-path` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Path::Direct => "direkt",
            Path::Server => "server",
            Path::None => "keiner",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncStatus {
    pub state: State,
    /// Devices connected directly (data channels open).
    pub direct: usize,
    /// When the state was entered (ms since the epoch).
    pub since_ms: f64,
    /// Local changes the relay has not acknowledged yet.
    pub waiting: u64,
    /// Since when changes wait (ms since the epoch): said as a time, not as a count that grows
    /// with every keystroke.
    pub waiting_since_ms: Option<f64>,
    /// The relay's last complaint, in German, until the link is in sync again.
    pub notice: Option<String>,
}

/// How far the connection is, as far as the indicator cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// No socket, or waiting out the backoff: nothing is being tried right now.
    Down,
    /// A socket is opening, being admitted, or catching up.
    Connecting,
    /// Live, and everything the relay held at admission is applied.
    Synced,
}

/// What the link knows when the indicator is worked out.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// Why the relay refused this device for good, if it did.
    pub refused: Option<&'a str>,
    pub connection: Connection,
    /// Whether the browser believes it has a network (`navigator.onLine`).
    pub browser_online: bool,
    /// Local changes the relay has not acknowledged yet.
    pub waiting: u64,
    /// The relay's last complaint.
    pub notice: Option<&'a str>,
    /// A notice that stays in sync too (a change that can never be sent).
    pub lasting: Option<&'a str>,
    /// Devices connected directly.
    pub direct: usize,
}

impl SyncStatus {
    /// The way changes go now: directly wherever a device is connected directly (the relay
    /// still gets everything, as the durable copy), else through the relay once in step.
    pub fn path(&self) -> Path {
        match (self.direct, &self.state) {
            (1.., _) => Path::Direct,
            (0, State::Synced) => Path::Server,
            _ => Path::None,
        }
    }

    /// What a link shows when it starts.
    pub fn connecting(now: f64) -> SyncStatus {
        SyncStatus {
            state: State::Connecting,
            direct: 0,
            since_ms: now,
            waiting: 0,
            waiting_since_ms: None,
            notice: None,
        }
    }

    /// What to show at `now` after the link changed, while `self` is shown; `None` when the
    /// indicator stays as it is (a live region must not be touched for nothing).
    pub fn next(&self, seen: Observed<'_>, now: f64) -> Option<SyncStatus> {
        let state = match (seen.refused, seen.connection) {
            (Some(reason), _) => State::Refused(reason.to_string()),
            (None, Connection::Synced) => State::Synced,
            (None, Connection::Connecting) => State::Connecting,
            (None, Connection::Down) if seen.browser_online => State::Unreachable,
            (None, Connection::Down) => State::NoNetwork,
        };
        // A complaint is moot once everything is in sync again; a lasting notice is not.
        let notice = match state {
            State::Synced => seen.lasting,
            _ => seen.notice.or(seen.lasting),
        }
        .map(str::to_string);
        // Once the network is back, connecting is news again.
        let state = if self.state == State::NoNetwork && seen.browser_online {
            state
        } else {
            self.state.then(state)
        };
        let waiting_since_ms = match (self.waiting_since_ms, seen.waiting) {
            (_, 0) => None,
            (None, _) => Some(now),
            (since, _) => since,
        };
        if self.state == state
            && self.direct == seen.direct
            && self.waiting == seen.waiting
            && self.notice == notice
            && self.waiting_since_ms == waiting_since_ms
        {
            return None;
        }
        let since_ms = if self.state == state {
            self.since_ms
        } else {
            now
        };
        Some(SyncStatus {
            state,
            direct: seen.direct,
            since_ms,
            waiting: seen.waiting,
            waiting_since_ms,
            notice,
        })
    }
}

/// What the indicator says once the relay has deleted the report's room for everyone.
pub const PURGED_TEXT: &str = STANDARD.relay_purged;

/// What the indicator says after a local change larger than the relay takes (64 MiB, which
/// only a pasted or imported mass of text reaches): it stays on this device, and what builds
/// on it cannot be used by the others either, so it is said until the report is closed.
pub const TOO_LARGE_TEXT: &str = STANDARD.relay_too_large_local;

/// What the app says about an error code the relay sent (docs/contracts.md, "Relay
/// WebSocket"), and whether reconnecting can help. `None`: nothing worth telling (the state
/// line already says "verbindet").
pub fn relay_error(code: u16) -> (Option<&'static str>, bool) {
    use dreieck_sync::wire::code;
    match code {
        code::ADMISSION_REFUSED => (Some(STANDARD.relay_admission_refused), false),
        code::UNSUPPORTED_VERSION => (Some(STANDARD.relay_outdated), false),
        code::FRAME_TOO_LARGE => (Some(STANDARD.relay_frame_too_large), true),
        code::TOO_MANY_CONNECTIONS => (Some(STANDARD.relay_busy), true),
        code::TOO_MANY_FROM_ADDRESS => (Some(STANDARD.relay_address_busy), true),
        code::ROOM_FULL => (Some(STANDARD.relay_room_full), true),
        code::ROOM_STORAGE_FULL => (Some(STANDARD.relay_room_storage_full), true),
        code::RELAY_FULL => (Some(STANDARD.relay_full), true),
        code::SHUTTING_DOWN => (Some(STANDARD.relay_restarting), true),
        code::PURGED => (Some(PURGED_TEXT), false),
        code::STORAGE_FAILURE => (Some(STANDARD.relay_storage_failure), true),
        code::BAD_FRAME | code::UNEXPECTED | code::WRONG_ROOM => {
            (Some(STANDARD.relay_disturbed), true)
        }
        // Rate limit, slow reader, admission timeout, a room passing between relay instances,
        // and codes newer than this app.
        _ => (None, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(connection: Connection, browser_online: bool) -> Observed<'static> {
        Observed {
            refused: None,
            connection,
            browser_online,
            waiting: 0,
            notice: None,
            lasting: None,
            direct: 0,
        }
    }

    #[test]
    fn the_path_is_named_direct_through_the_server_or_none() {
        let start = SyncStatus::connecting(0.0);
        assert_eq!(start.path(), Path::None);
        let synced = start.next(seen(Connection::Synced, true), 1.0).unwrap();
        assert_eq!(synced.path(), Path::Server);
        let direct = Observed {
            direct: 1,
            ..seen(Connection::Synced, true)
        };
        let both = synced.next(direct, 2.0).unwrap();
        assert_eq!((both.path(), both.since_ms), (Path::Direct, 1.0));
        // The relay goes away; the direct channel carries on, and the indicator says both.
        let alone = both
            .next(
                Observed {
                    direct: 1,
                    ..seen(Connection::Down, true)
                },
                3.0,
            )
            .unwrap();
        assert_eq!(
            (alone.path(), &alone.state),
            (Path::Direct, &State::Unreachable)
        );
        let none = alone.next(seen(Connection::Down, true), 4.0).unwrap();
        assert_eq!(none.path(), Path::None);
    }

    #[test]
    fn retries_while_offline_are_not_announced() {
        for offline in [State::NoNetwork, State::Unreachable] {
            assert_eq!(offline.then(State::Connecting), offline);
            assert_eq!(offline.then(State::Synced), State::Synced);
            let refused = State::Refused("Zugang verweigert".into());
            assert_eq!(offline.then(refused.clone()), refused);
        }
        // The network comes back but the relay does not answer: that is news.
        assert_eq!(
            State::NoNetwork.then(State::Unreachable),
            State::Unreachable
        );
        assert_eq!(State::Synced.then(State::Connecting), State::Connecting);
    }

    #[test]
    fn only_a_wrong_key_an_outdated_app_or_a_deleted_report_stops_reconnecting() {
        for code in 0..=20u16 {
            let (message, retry) = relay_error(code);
            let fatal = matches!(
                code,
                dreieck_sync::wire::code::ADMISSION_REFUSED
                    | dreieck_sync::wire::code::UNSUPPORTED_VERSION
                    | dreieck_sync::wire::code::PURGED
            );
            assert_eq!(retry, !fatal, "code {code}");
            if fatal {
                assert!(message.is_some());
            }
        }
    }

    #[test]
    fn connecting_is_news_again_once_the_network_is_back() {
        let shown = SyncStatus::connecting(0.0)
            .next(seen(Connection::Down, false), 10.0)
            .unwrap();
        assert_eq!(shown.state, State::NoNetwork);
        // A retry while still offline changes nothing on screen.
        assert_eq!(shown.next(seen(Connection::Connecting, false), 20.0), None);
        let back = shown
            .next(seen(Connection::Connecting, true), 30.0)
            .unwrap();
        assert_eq!((back.state, back.since_ms), (State::Connecting, 30.0));
        // The relay not answering is shown the same way a retry at a time.
        let unreachable = SyncStatus::connecting(0.0)
            .next(seen(Connection::Down, true), 10.0)
            .unwrap();
        assert_eq!(
            unreachable.next(seen(Connection::Connecting, true), 20.0),
            None
        );
    }

    #[test]
    fn the_times_of_a_state_and_of_a_wait_stay_while_they_last() {
        let synced = SyncStatus::connecting(0.0)
            .next(seen(Connection::Synced, true), 5.0)
            .unwrap();
        assert_eq!(synced.since_ms, 5.0);
        let typing = Observed {
            waiting: 1,
            ..seen(Connection::Synced, true)
        };
        let one = synced.next(typing, 7.0).unwrap();
        assert_eq!((one.since_ms, one.waiting_since_ms), (5.0, Some(7.0)));
        let more = one
            .next(
                Observed {
                    waiting: 3,
                    ..typing
                },
                9.0,
            )
            .unwrap();
        assert_eq!((more.waiting, more.waiting_since_ms), (3, Some(7.0)));
        let done = more.next(seen(Connection::Synced, true), 11.0).unwrap();
        assert_eq!((done.waiting, done.waiting_since_ms), (0, None));
        assert_eq!(done.since_ms, 5.0);
    }

    #[test]
    fn a_complaint_shows_until_in_sync_and_a_refusal_wins() {
        let complaint = Observed {
            notice: Some("Der Server startet neu."),
            ..seen(Connection::Down, true)
        };
        let shown = SyncStatus::connecting(0.0).next(complaint, 1.0).unwrap();
        assert_eq!(shown.notice.as_deref(), Some("Der Server startet neu."));
        let synced = shown
            .next(
                Observed {
                    connection: Connection::Synced,
                    ..complaint
                },
                2.0,
            )
            .unwrap();
        assert_eq!((synced.state, synced.notice), (State::Synced, None));
        let refused = shown
            .next(
                Observed {
                    refused: Some("Zugang verweigert"),
                    ..complaint
                },
                3.0,
            )
            .unwrap();
        assert_eq!(refused.state, State::Refused("Zugang verweigert".into()));
    }
}
