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
//!
//! A deletion may also be signed in advance, for the end of a submitted report's retention
//! period: the relay keeps it beside the room and purges the room with it when the time has
//! come, with nobody at a device ([`Report::sign_retention_deletion`], the wire's `Retain`).
//! Such a record says so (its own version and domain, so it cannot pass for a deletion made
//! now), and a device accepts it only when its own clock has passed that time and its own
//! copy is submitted with a retention period that ended by then: a relay that purges early,
//! a withdrawn submission or a longer period make nobody drop a copy.

use super::records::verify;
use crate::bytes::{put_str32, Reader};
use crate::{ModelError, ParticipantKey, Report, Result, Role};

/// Domain label of deletion records.
pub const DELETION_DOMAIN: &[u8] = b"dreieck/deletion/v1";
/// Domain label of deletions signed in advance for the end of the retention period.
pub const RETENTION_DELETION_DOMAIN: &[u8] = b"dreieck/deletion/v2/retention-end";
const DELETION_VERSION: u8 = 1;
const RETENTION_DELETION_VERSION: u8 = 2;

/// One signed deletion of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub by: [u8; 32],
    /// When it was made, or (`at_retention_end`) when it takes effect.
    pub time_ms: i64,
    /// Signed in advance for the end of the retention period.
    pub at_retention_end: bool,
    pub signature: [u8; 64],
}

impl Deletion {
    pub fn sign(report_id: &str, time_ms: i64, by: &ParticipantKey) -> Deletion {
        Self::signed(report_id, time_ms, false, by)
    }

    /// A deletion that takes effect at `time_ms`, the end of the retention period.
    pub fn sign_for_retention_end(report_id: &str, time_ms: i64, by: &ParticipantKey) -> Deletion {
        Self::signed(report_id, time_ms, true, by)
    }

    fn signed(report_id: &str, time_ms: i64, at_retention_end: bool, by: &ParticipantKey) -> Self {
        let mut record = Deletion {
            by: by.public_key(),
            time_ms,
            at_retention_end,
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
        m.extend_from_slice(if self.at_retention_end {
            RETENTION_DELETION_DOMAIN
        } else {
            DELETION_DOMAIN
        });
        put_str32(&mut m, report_id);
        m.extend_from_slice(&self.by);
        m.extend_from_slice(&self.time_ms.to_be_bytes());
        m
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![if self.at_retention_end {
            RETENTION_DELETION_VERSION
        } else {
            DELETION_VERSION
        }];
        out.extend_from_slice(&self.by);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Deletion> {
        let mut r = Reader(bytes);
        let at_retention_end = match r.u8()? {
            DELETION_VERSION => false,
            RETENTION_DELETION_VERSION => true,
            _ => return None,
        };
        let record = Deletion {
            by: r.array::<32>()?,
            time_ms: r.i64()?,
            at_retention_end,
            signature: r.array::<64>()?,
        };
        r.is_empty().then_some(record)
    }
}

/// A deletion this device accepted: what it shows in place of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionNotice {
    /// When it was made, or when the retention period ended.
    pub time_ms: i64,
    /// Signed in advance, carried out by the relay at the end of the retention period.
    pub at_retention_end: bool,
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
        let by = self.deleting_key(as_role)?;
        Ok(Deletion::sign(&self.id(), time_ms, &by).encode())
    }

    /// A deletion of this report signed now by this device's key for `as_role`, to take
    /// effect at the end of its retention period (the start of the day after
    /// [`Report::retention_end`], UTC), for the relay to carry out then: that moment in
    /// seconds since 1970, and the record. Refused as [`Report::sign_deletion`] is, and for a
    /// report that is not submitted or whose form sets no retention period.
    pub fn sign_retention_deletion(&self, as_role: Role) -> Result<(u64, Vec<u8>)> {
        let effective = self
            .retention_end()
            .and_then(retention_effective_ms)
            .ok_or_else(|| {
                ModelError::Workflow(
                    "Der Bericht ist nicht übermittelt, oder sein Formular kennt keine \
                     Aufbewahrungsfrist."
                        .into(),
                )
            })?;
        let by = self.deleting_key(as_role)?;
        let record = Deletion::sign_for_retention_end(&self.id(), effective, &by);
        let seconds = u64::try_from(effective / 1000).unwrap_or(0);
        Ok((seconds, record.encode()))
    }

    /// This device's key for `as_role`, if that role may delete the report for everyone
    /// (refused for reports without a member list: nobody could check the signer).
    fn deleting_key(&self, as_role: Role) -> Result<ParticipantKey> {
        let by = self.signing_key(as_role)?;
        let roster = self.roster();
        if roster.owner().is_none() || !roster.may_move(&by.public_key()) {
            return Err(ModelError::Membership(format!(
                "Als {} können Sie den Bericht nicht für alle löschen.",
                as_role.label()
            )));
        }
        Ok(by)
    }

    /// Whether `bytes` (from the relay: hostile until this returns) delete this report at
    /// `now_ms` on this device's clock: a record signed for this report by somebody this
    /// device's roster lets delete; one signed in advance only once its time has come and
    /// this copy's retention period has ended by then.
    pub fn check_deletion(&self, bytes: &[u8], now_ms: i64) -> Option<DeletionNotice> {
        let record = Deletion::decode(bytes)?;
        if !record.verifies(&self.id()) {
            return None;
        }
        if record.at_retention_end {
            let ended = self.retention_end().and_then(retention_effective_ms)?;
            if now_ms < record.time_ms || ended > record.time_ms {
                return None;
            }
        }
        let roster = self.roster();
        if roster.owner().is_none() || !roster.may_move(&record.by) {
            return None;
        }
        let member = roster.members().into_iter().find(|m| m.key == record.by)?;
        Some(DeletionNotice {
            time_ms: record.time_ms,
            at_retention_end: record.at_retention_end,
            by_name: member.name,
            by_role: member.role,
        })
    }
}

/// The moment a retention period that ends on `last_day` (the last day to keep) is over:
/// the start of the next day, UTC, in ms since 1970.
fn retention_effective_ms(last_day: crate::Date) -> Option<i64> {
    let next = last_day.0.next_day()?;
    Some(next.midnight().assume_utc().unix_timestamp() * 1000)
}
