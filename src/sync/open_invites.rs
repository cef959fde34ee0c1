//! The invitations this device made and answers for, kept in localStorage under
//! `dreieck.invites`: each one's secret (only here and in its link), and the device keys it
//! admitted. The count is what makes "one device" hold: it is written before an answer goes
//! out, so no second device is admitted after a crash or a reload.

use dreieck::storage::settings;
use dreieck_model::trust::InvitationSecret;
use serde::{Deserialize, Serialize};

use crate::sync::invitation::{from_hex, to_hex};

const SETTING: &str = "invites";

/// An invitation is forgotten this long after it expired (it answers "abgelaufen" until then).
const KEEP_AFTER_EXPIRY_MS: i64 = 7 * 24 * 60 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenInvite {
    pub report_id: String,
    pub secret: [u8; 32],
    pub expires_ms: i64,
    /// Device keys admitted through it.
    pub admitted: Vec<[u8; 32]>,
}

impl OpenInvite {
    pub fn secret(&self) -> InvitationSecret {
        InvitationSecret::from_bytes(self.secret)
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    report: String,
    secret: String,
    expires_ms: i64,
    admitted: Vec<String>,
}

/// Every invitation this device still answers for (nothing, when the entry is damaged).
pub fn load() -> Vec<OpenInvite> {
    let Some(json) = settings::get(SETTING) else {
        return Vec::new();
    };
    let Ok(stored) = serde_json::from_str::<Vec<Stored>>(&json) else {
        return Vec::new();
    };
    stored
        .into_iter()
        .filter_map(|s| {
            Some(OpenInvite {
                report_id: s.report,
                secret: from_hex(&s.secret)?,
                expires_ms: s.expires_ms,
                admitted: s.admitted.iter().filter_map(|h| from_hex(h)).collect(),
            })
        })
        .collect()
}

fn save(invites: &[OpenInvite]) -> Result<(), String> {
    let stored: Vec<Stored> = invites
        .iter()
        .map(|i| Stored {
            report: i.report_id.clone(),
            secret: to_hex(&i.secret),
            expires_ms: i.expires_ms,
            admitted: i.admitted.iter().map(|k| to_hex(k)).collect(),
        })
        .collect();
    let json = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
    settings::set(SETTING, &json).map_err(|e| e.to_string())
}

/// Remembers a new invitation (and forgets the ones long expired).
pub fn add(invite: OpenInvite, now_ms: i64) -> Result<(), String> {
    let mut all = load();
    all.retain(|i| i.expires_ms + KEEP_AFTER_EXPIRY_MS > now_ms);
    all.push(invite);
    save(&all)
}

/// Records `device` as admitted through the invitation with `secret`; the German reason when
/// it could not be written (then nobody is admitted).
pub fn admit(secret: &[u8; 32], device: [u8; 32]) -> Result<(), String> {
    let mut all = load();
    let Some(invite) = all.iter_mut().find(|i| i.secret == *secret) else {
        return Err("Die Einladung ist auf diesem Gerät nicht mehr bekannt.".into());
    };
    if !invite.admitted.contains(&device) {
        invite.admitted.push(device);
    }
    save(&all)
}

/// The invitation with `secret`, as stored now.
pub fn find(secret: &[u8; 32]) -> Option<OpenInvite> {
    load().into_iter().find(|i| i.secret == *secret)
}

/// Forgets the invitations of a report deleted on this device.
pub fn forget_report(report_id: &str) {
    let mut all = load();
    all.retain(|i| i.report_id != report_id);
    let _ = save(&all);
}
