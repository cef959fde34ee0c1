//! One pending `setTimeout` per purpose.
//!
//! Sessions and links wait for pauses (applying peers' typing, compaction, snapshots), pace
//! their writes and reconnect with backoff. Each keeps its pending timeout in a [`Timer`],
//! which clears it when re-armed, cancelled or dropped, so that no callback outlives what it
//! was for and no purpose has two callbacks pending.

use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};

#[derive(Default)]
pub struct Timer(Option<TimeoutHandle>);

impl Timer {
    pub fn is_armed(&self) -> bool {
        self.0.is_some()
    }

    /// Runs `f` after `ms` instead of whatever was pending. `false` when the browser gave no
    /// timer (then nothing is pending, and the caller decides whether to act at once).
    pub fn arm(&mut self, ms: u64, f: impl FnOnce() + 'static) -> bool {
        self.cancel();
        self.0 = set_timeout_with_handle(f, Duration::from_millis(ms)).ok();
        self.0.is_some()
    }

    /// Called first by the callback: its handle is spent.
    pub fn fired(&mut self) {
        self.0 = None;
    }

    pub fn cancel(&mut self) {
        if let Some(t) = self.0.take() {
            t.clear();
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}
