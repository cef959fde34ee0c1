//! Rooms that hold nothing expire: anyone may make a room (a Hello with a new id registers it),
//! each costs a row for good, and an invitation that was never used or a share that never got
//! its first change leaves one behind. A room with no entry and no snapshot, untouched for
//! `--empty-room-expiry-secs` (7 days), is deleted by a sweep that runs a few times within that
//! period (at most hourly), never a room live on this instance or served by another. A room
//! with content stays until deleted by its users ("Für alle löschen"); a deleted room keeps its
//! row and sealed deletion record for good, so that a device coming back after any time
//! learns of the deletion instead of registering the room anew and uploading the report.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::hub::Hub;
use crate::metrics;

/// Runs until shutdown begins.
pub(crate) async fn expire_periodically(hub: Arc<Hub>) {
    let expiry = hub.limits.empty_room_expiry_secs;
    if expiry == 0 {
        return;
    }
    let mut shutdown = hub.shutdown_signal();
    let mut ticks = tokio::time::interval(Duration::from_secs((expiry / 4).clamp(1, 3600)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = async { drop(shutdown.wait_for(|s| *s).await) } => return,
            _ = ticks.tick() => {}
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let cutoff = i64::try_from(now.saturating_sub(expiry)).unwrap_or(0);
        match hub.writer.expire(cutoff, hub.live_rooms()).await {
            Ok(0) => {}
            Ok(n) => {
                metrics::add(&hub.metrics.rooms_expired, n);
                tracing::info!(rooms = n, "Leere Räume gelöscht");
            }
            Err(_) => tracing::warn!("Leere Räume ließen sich nicht löschen"),
        }
    }
}
