//! The stored figure `--max-stored-bytes` is checked against, across instances.
//!
//! Each room task counts what it asks storage to keep into `dreieck_relay_stored_bytes`, which
//! starts from the database's sum. With one instance that is the whole truth. With several on
//! one PostgreSQL, each would only see its own writes on top of the sum it started with, so the
//! quota would allow each instance its own share again. Every `--stored-refresh-secs` the
//! figure is therefore read afresh from the database (the rooms' stored sizes, every
//! instance's committed writes), and the room tasks' counting carries it on in between.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::hub::Hub;

/// Runs until shutdown begins; only where several instances share the database.
pub(crate) async fn refresh_periodically(hub: Arc<Hub>) {
    if hub.writer.cluster_secret().is_none() || hub.limits.stored_refresh_secs == 0 {
        return;
    }
    let mut shutdown = hub.shutdown_signal();
    let mut ticks = tokio::time::interval(Duration::from_secs(hub.limits.stored_refresh_secs));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = async { drop(shutdown.wait_for(|s| *s).await) } => return,
            _ = ticks.tick() => {}
        }
        match hub.writer.stored_bytes().await {
            Ok(stored) => hub.metrics.stored_now.store(stored, Ordering::Relaxed),
            Err(_) => tracing::warn!("Gespeicherte Menge ließ sich nicht lesen"),
        }
    }
}
