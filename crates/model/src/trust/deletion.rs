//! "Für alle löschen": a signed statement that a report is deleted, which every device checks
//! against its own roster before it drops its copy.
//!
//! The record does not travel in the document: a deletion must reach devices that will never
//! catch up with the report's history again, because the relay purges that history. The
//! deleting device sends it to the relay, which replaces everything it held for the room with
//! this one record (sealed under the room key) and hands it to every device that comes by.
//! So the record must stand alone: it names the report, the signer and the time, and verifies
//! with the signer's key alone. Whether the signer may delete is then read from the roster the
//! receiving device already holds — a relay, or an insider holding the room key, can purge the
//! relay's copy, but no device drops its own unless somebody who keeps the case signed it.

use super::records::verify;
use crate::bytes::{put_str32, Reader};
use crate::{ModelError, ParticipantKey, Report, Result, Role};

/// Domain label of deletion records.
pub const DELETION_DOMAIN: &[u8] = b"dreieck/deletion/v1";
const DELETION_VERSION: u8 = 1;

/// One signed deletion of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub by: [u8; 32],
    pub time_ms: i64,
    pub signature: [u8; 64],
}

impl Deletion {
    pub fn sign(report_id: &str, time_ms: i64, by: &ParticipantKey) -> Deletion {
        let mut record = Deletion {
            by: by.public_key(),
            time_ms,
            signature: [0; 64],
        };
        record.signature = by.sign(&record.message(report_id));
        record
    }

    pub fn verifies(&self, report_id: &str) -> bool {
        verify(&self.by, &self.message(report_id), &self.signature)
    }

    fn message(&self, report_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(128);
        m.extend_from_slice(DELETION_DOMAIN);
        put_str32(&mut m, report_id);
        m.extend_from_slice(&self.by);
        m.extend_from_slice(&self.time_ms.to_be_bytes());
        m
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![DELETION_VERSION];
        out.extend_from_slice(&self.by);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Deletion> {
        let mut r = Reader(bytes);
        if r.u8()? != DELETION_VERSION {
            return None;
        }
        let record = Deletion {
            by: r.array::<32>()?,
            time_ms: r.i64()?,
            signature: r.array::<64>()?,
        };
        r.is_empty().then_some(record)
    }
}

/// A deletion this device accepted: what it shows in place of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionNotice {
    pub time_ms: i64,
    /// The signer's name and role as this device's roster knows them.
    pub by_name: String,
    pub by_role: Role,
}

impl Report {
    /// The role this device can delete the report for everyone as, if any: the owner and the
    /// roles that keep the case, as for removals.
    pub fn may_delete_as(&self) -> Option<Role> {
        let roster = self.roster();
        self.acting_role(&roster, |key| roster.may_move(key))
    }

    /// A deletion of this report signed by this device's key for `as_role`, encoded for the
    /// relay. Refused for roles that may not delete and for reports without a member list
    /// (nobody could check the signer).
    pub fn sign_deletion(&self, as_role: Role, time_ms: i64) -> Result<Vec<u8>> {
        let by = self.signing_key(as_role)?;
        let roster = self.roster();
        if roster.owner().is_none() || !roster.may_move(&by.public_key()) {
            return Err(ModelError::Membership(format!(
                "Als {} können Sie den Bericht nicht für alle löschen.",
                as_role.label()
            )));
        }
        Ok(Deletion::sign(&self.id(), time_ms, &by).encode())
    }

    /// Whether `bytes` (from the relay: hostile until this returns) delete this report: a
    /// record signed for this report by somebody this device's roster lets delete.
    pub fn check_deletion(&self, bytes: &[u8]) -> Option<DeletionNotice> {
        let record = Deletion::decode(bytes)?;
        if !record.verifies(&self.id()) {
            return None;
        }
        let roster = self.roster();
        if roster.owner().is_none() || !roster.may_move(&record.by) {
            return None;
        }
        let member = roster.members().into_iter().find(|m| m.key == record.by)?;
        Some(DeletionNotice {
            time_ms: record.time_ms,
            by_name: member.name,
            by_role: member.role,
        })
    }
}
