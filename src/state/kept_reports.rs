//! "Vom Gerät nehmen": after submission a device may drop its copy of a shared report while
//! the relay keeps the sealed one (until the form's retention period ends and somebody
//! deletes it for everyone). The device keeps the summary the case list shows and the way
//! back to the room (`storage::kept`, `sync::shared`); "Zurückholen" joins the room again
//! with an empty document, as a new member would, and the device's own keys make it the
//! member it was.
//!
//! A copy is dropped only when the relay has acknowledged every change in it
//! (`Report::is_covered_by`): whatever was typed or signed here and not yet uploaded keeps the
//! report on the device, with the reason.

use dreieck::storage::{kept, ReportStore, Summary};
use dreieck_model::{Report, Status};

use crate::state::session;
use crate::sync::shared;

/// Whether the case list offers "Vom Gerät nehmen" for this report: submitted and `shared`
/// (a report only on this device has no other copy to come back from). The row knows
/// whether it is shared already.
pub fn may_take_off(summary: &Summary, shared: bool) -> bool {
    shared && summary.status == Status::Submitted.code()
}

/// Drops this device's copy of the report, keeping its summary and room. The German reason
/// when it stays: not submitted, not shared, or not everything in it is at the relay yet.
pub async fn take_off(store: &ReportStore, summary: Summary) -> Result<(), String> {
    let id = summary.id.clone();
    let Some(room) = shared::load(&id) else {
        return Err(
            "Dieser Bericht wird nicht geteilt: Beim Server liegt keine Kopie, \
                    darum bleibt er auf diesem Gerät."
                .into(),
        );
    };
    if summary.status != Status::Submitted.code() {
        return Err("Nur übermittelte Berichte können vom Gerät genommen werden.".into());
    }
    let bytes = store.load(&id).await.map_err(|e| e.to_string())?;
    let mut report = Report::load(&bytes).map_err(|e| e.to_string())?;
    if !report.is_covered_by(&room.acked_heads) {
        return Err(NOT_ALL_AT_RELAY.into());
    }
    // The entry first: if the page dies between the two steps, the report is listed twice
    // (the case list shows the copy on the device) rather than lost from the list.
    kept::add(summary).map_err(|e| e.to_string())?;
    session::close(&id);
    if let Err(e) = store.delete(&id).await {
        // The copy is still here: nothing is kept only at the relay.
        let _ = kept::remove(&id);
        return Err(format!("Der Bericht ist noch auf dem Gerät: {e}"));
    }
    Ok(())
}

/// Why a report with changes not yet at the relay stays.
pub const NOT_ALL_AT_RELAY: &str = "Noch ist nicht alles aus diesem Bericht beim Server \
     angekommen. Bitte den Bericht öffnen, mit dem Internet verbinden und warten, bis dort \
     „Synchron“ steht. Bis dahin bleibt er auf diesem Gerät.";

/// The reports kept only at the relay, without those that are back on the device (an entry
/// left over when fetching back was cut off), which it forgets.
pub async fn list(store: &ReportStore) -> Result<Vec<Summary>, String> {
    let kept = kept::load().map_err(|e| e.to_string())?;
    if kept.is_empty() {
        return Ok(kept);
    }
    let here = store.ids().await.map_err(|e| e.to_string())?;
    let (back, away): (Vec<Summary>, Vec<Summary>) =
        kept.into_iter().partition(|s| here.contains(&s.id));
    for s in back {
        let _ = kept::remove(&s.id);
    }
    Ok(away)
}

/// "Aus der Liste nehmen": forgets the entry and the way to the room. The relay's copy stays
/// until somebody deletes it for everyone; this device can then not fetch it back (a new
/// invitation can).
pub fn let_go(id: &str) -> Result<(), String> {
    kept::remove(id).map_err(|e| e.to_string())?;
    shared::forget(id);
    Ok(())
}
