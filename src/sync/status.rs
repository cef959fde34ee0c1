//! What the sync indicator shows: the state, since when, and how many changes wait.

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
}

impl State {
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

#[derive(Clone, Debug, PartialEq)]
pub struct SyncStatus {
    pub state: State,
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

/// What the app says about an error code the relay sent (docs/contracts.md, "Relay
/// WebSocket"), and whether reconnecting can help. `None`: nothing worth telling (the state
/// line already says "verbindet").
pub fn relay_error(code: u16) -> (Option<&'static str>, bool) {
    use dreieck_sync::wire::code;
    match code {
        code::ADMISSION_REFUSED => (
            Some("Zugang verweigert: Der Einladungslink passt nicht zu diesem Bericht."),
            false,
        ),
        code::UNSUPPORTED_VERSION => (
            Some("Bitte laden Sie die App neu – es gibt eine neuere Version."),
            false,
        ),
        code::FRAME_TOO_LARGE => (
            Some("Eine Änderung ist zu groß für den Server. Sie bleibt auf diesem Gerät gespeichert."),
            true,
        ),
        code::TOO_MANY_CONNECTIONS => (
            Some("Der Server ist gerade ausgelastet. Es wird gleich wieder versucht."),
            true,
        ),
        code::ROOM_FULL => (
            Some("Zu viele Geräte sind gerade mit diesem Bericht verbunden. Es wird weiter versucht."),
            true,
        ),
        code::ROOM_STORAGE_FULL => (
            Some("Der Speicher für diesen Bericht auf dem Server ist voll. Die Änderungen bleiben auf diesem Gerät."),
            true,
        ),
        code::SHUTTING_DOWN => (Some("Der Server startet neu."), true),
        code::STORAGE_FAILURE => (
            Some("Der Server kann gerade nicht speichern. Die Änderungen werden erneut gesendet."),
            true,
        ),
        code::BAD_FRAME | code::UNEXPECTED | code::WRONG_ROOM => {
            (Some("Die Verbindung zum Server ist gestört."), true)
        }
        // Rate limit, slow reader, admission timeout, and codes newer than this app.
        _ => (None, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_a_wrong_key_or_an_outdated_app_stops_reconnecting() {
        for code in 0..=20u16 {
            let (message, retry) = relay_error(code);
            let fatal = matches!(
                code,
                dreieck_sync::wire::code::ADMISSION_REFUSED
                    | dreieck_sync::wire::code::UNSUPPORTED_VERSION
            );
            assert_eq!(retry, !fatal, "code {code}");
            if fatal {
                assert!(message.is_some());
            }
        }
    }
}
