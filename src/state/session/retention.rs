//! The end of the retention period, told to the relay: when a submitted report's form sets
//! a retention period, a device that may delete the report for everyone signs the deletion
//! in advance for the day after it ends and hands it to the relay (`Retain`), which purges
//! the room by itself then — with nobody at a device, as the period demands. Told once per
//! connection (when in sync: after a withdrawal elsewhere has arrived, not before) and again
//! whenever this device changes the submission; "none" when the report is not submitted (a
//! withdrawn submission takes back what another device told). The relay keeps the latest.
//! Each device checks the record itself before it drops its copy
//! (`Report::check_deletion`), so a stale one purges at most the relay's copy.

use super::Session;
use crate::sync::rng::WebRng;

impl Session {
    /// Tells the relay when the report's retention ends, if this device may delete it for
    /// everyone and the link is live; only when the end changed since it last told it on
    /// this connection, unless `anyway` (a new connection).
    pub(super) fn tell_retention(&self, anyway: bool) {
        let Some(link) = self.link() else { return };
        let end = self.read(|r| r.retention_end());
        if !anyway && *self.retention_told.borrow() == Some(end) {
            return;
        }
        let Some(role) = self.read(|r| r.may_delete_as()) else {
            // Not this device's to tell (the person supported): asked again when the end
            // changes, not at every edit.
            *self.retention_told.borrow_mut() = Some(end);
            return;
        };
        let signed = match end {
            Some(_) => match self.read(|r| r.sign_retention_deletion(role)) {
                Ok(signed) => Some(signed),
                Err(e) => {
                    leptos::logging::warn!("retention not told: {e}");
                    return;
                }
            },
            None => None,
        };
        let sent = match &signed {
            Some((until, record)) => link.retain(*until, Some(record), &mut WebRng),
            None => link.retain(0, None, &mut WebRng),
        };
        if sent {
            *self.retention_told.borrow_mut() = Some(end);
        }
    }
}
