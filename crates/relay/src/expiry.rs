//! The sweep: rooms that hold nothing expire, and rooms whose retention period ended are
//! purged.
//!
//! Anyone may make a room (a Hello with a new id registers it), each costs a row for good, and
//! an invitation that was never used or a share that never got its first change leaves one
//! behind. A room with no entry and no snapshot, untouched for `--empty-room-expiry-secs`
//! (7 days), is deleted by a sweep that runs a few times within that period (at most hourly),
//! never a room live on this instance or served by another. A room with content stays until
//! deleted by its users ("Für alle löschen") or until the retention period a device set for
//! it ends (`Retain`): then the same sweep purges it, leaving the deletion record signed in
//! advance, exactly as a Purge would (a room live at that moment waits for the next sweep). A
//! deleted room keeps its row and sealed deletion record for good, so that a device coming
//! back after any time learns of the deletion instead of registering the room anew and
//! uploading the report.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::hub::Hub;
use crate::metrics;

/// Runs until shutdown begins.
pub(crate) async fn expire_periodically(hub: Arc<Hub>) {
    let expiry = hub.limits.empty_room_expiry_secs;
    let mut shutdown = hub.shutdown_signal();
    // Without expiry of empty rooms the sweep still runs hourly, for retention periods.
    let every = if expiry == 0 {
        3600
    } else {
        (expiry / 4).clamp(1, 3600)
    };
    let mut ticks = tokio::time::interval(Duration::from_secs(every));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = async { drop(shutdown.wait_for(|s| *s).await) } => return,
            _ = ticks.tick() => {}
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // No cutoff when empty rooms never expire: nothing was touched before 1970.
        let cutoff = if expiry == 0 {
            0
        } else {
            i64::try_from(now.saturating_sub(expiry)).unwrap_or(0)
        };
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        match hub.writer.expire(cutoff, now, hub.live_rooms()).await {
            Ok(swept) => {
                if swept.empty > 0 {
                    metrics::add(&hub.metrics.rooms_expired, swept.empty);
                    tracing::info!(rooms = swept.empty, "Leere Räume gelöscht");
                }
                if swept.retained > 0 {
                    metrics::add(&hub.metrics.rooms_retention_ended, swept.retained);
                    tracing::info!(
                        rooms = swept.retained,
                        "Räume nach dem Ende der Aufbewahrung gelöscht"
                    );
                }
            }
            Err(_) => tracing::warn!("Der Durchlauf für leere und abgelaufene Räume schlug fehl"),
        }
    }
}
