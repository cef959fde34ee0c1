//! Reports deleted for everyone, as this device remembers them: which report, who deleted it
//! and when, until the person has read it ("Ausblenden").
//!
//! The report itself is gone from the device; what stays is its title (the name the person
//! knew it by — without it "a report was deleted" says nothing) and the deleter's name and
//! role as this device's member list knew them. Kept in localStorage under a key that is
//! sealed with everything else once a PIN is set (`storage::vault`).

use dreieck::storage::settings;
use serde::{Deserialize, Serialize};

const KEY: &str = "geloescht";

/// One deletion this device accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedReport {
    pub id: String,
    pub title: String,
    pub by_name: String,
    /// The deleter's role, as shown ("Leistungsträger").
    pub by_role: String,
    /// When it was deleted, or when the retention period ended (`at_retention_end`).
    pub time_ms: i64,
    /// Carried out by the relay at the end of the retention period, as signed in advance by
    /// `by_name`.
    #[serde(default)]
    pub at_retention_end: bool,
}

impl DeletedReport {
    /// The entry for report `id` (shown as `title`) from a deletion record this device checked.
    pub fn from_notice(
        id: &str,
        title: &str,
        notice: dreieck_model::trust::DeletionNotice,
    ) -> Self {
        DeletedReport {
            id: id.to_string(),
            title: title.to_string(),
            by_name: notice.by_name,
            by_role: notice.by_role.label().to_string(),
            time_ms: notice.time_ms,
            at_retention_end: notice.at_retention_end,
        }
    }

    /// Who deleted it, as shown: "Herr Amt (Leistungsträger)", or the role alone for a
    /// member who gave no name (the device that created the report).
    pub fn who(&self) -> String {
        if self.by_name.trim().is_empty() || self.by_name == self.by_role {
            self.by_role.clone()
        } else {
            format!("{} ({})", self.by_name, self.by_role)
        }
    }

    /// The name alone, or the role when there is none (for plain language).
    pub fn who_plain(&self) -> String {
        if self.by_name.trim().is_empty() {
            self.by_role.clone()
        } else {
            self.by_name.clone()
        }
    }
}

/// Every deletion not yet dismissed, oldest first. A damaged entry reads as none.
pub fn list() -> Vec<DeletedReport> {
    settings::get(KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn store(list: &[DeletedReport]) -> Result<(), String> {
    if list.is_empty() {
        settings::remove(KEY);
        return Ok(());
    }
    let json = serde_json::to_string(list).map_err(|e| e.to_string())?;
    settings::set(KEY, &json).map_err(|e| e.to_string())
}

/// Remembers a deletion (once per report).
pub fn add(entry: DeletedReport) -> Result<(), String> {
    let mut all = list();
    all.retain(|d| d.id != entry.id);
    all.push(entry);
    store(&all)
}

/// The person has read it.
pub fn dismiss(id: &str) -> Result<(), String> {
    let mut all = list();
    all.retain(|d| d.id != id);
    store(&all)
}
