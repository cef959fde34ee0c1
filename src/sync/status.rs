//! What the sync indicator shows: the state, since when, and how many changes wait.

/// The connection as a person sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// No connection to the relay; edits are kept and sent later.
    Offline,
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
            State::Offline => "offline",
            State::Connecting => "verbindet",
            State::Synced => "synchron",
            State::Refused(_) => "abgelehnt",
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
}

/// The German message for an error code the relay sent (see docs/contracts.md), and whether
/// trying again can help.
pub fn relay_error(code: u16) -> (&'static str, bool) {
    use dreieck_sync::wire::code;
    match code {
        code::ADMISSION_REFUSED => (
            "Zugang verweigert: Der Einladungslink passt nicht zu diesem Bericht.",
            false,
        ),
        code::UNSUPPORTED_VERSION => (
            "Diese Version der App passt nicht zum Server. Bitte laden Sie die Seite neu.",
            false,
        ),
        code::WRONG_ROOM => ("Der Server hat den Bericht verwechselt.", true),
        _ => ("Der Server hat die Verbindung beendet.", true),
    }
}
