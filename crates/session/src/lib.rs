//! An open report's session, sans-IO.
//!
//! The editor keeps a report in memory and has to decide, keystroke by keystroke, when to
//! write to storage, when to apply the keystrokes peers sent ahead of their changes, when to
//! reconnect to the relay and what the sync indicator says. Those decisions are made here, as
//! plain state machines in the style of `dreieck_sync`: events go in with the time they
//! happened (`now`, in milliseconds), and what to do comes out — a write to start, bytes to
//! send, a deadline by which the machine wants to be woken. Nothing here touches a browser, a
//! clock, a timer or a socket, so every rule runs under native `cargo test` with a virtual
//! clock; the app (`src/state/session.rs`, `src/sync/link.rs`) is only the executor that
//! carries the decisions out with IndexedDB, `setTimeout` and a WebSocket.
//!
//! Modules: [`autosave`] (the writer queue and compaction), [`deferral`] (peers' keystrokes
//! shown before they are applied), [`pacing`] (one wake-up per period for views that follow
//! every change), [`link`] (the connection to the relay: reconnecting, snapshots, remembered
//! heads, presence pacing), [`forward`] (passing on to the relay what came only directly) and
//! [`status`] (what the indicator says).

pub mod autosave;
pub mod deferral;
pub mod forward;
pub mod link;
pub mod pacing;
pub mod status;
