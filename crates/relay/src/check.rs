//! `dreieck-relay check`: whether the stored rooms are whole, so an operator learns of damage
//! (a restored backup, a disk fault, a hand edit) before a device does.
//!
//! A device catches up by walking the log from its own point: every entry names the one before
//! it (`prev_seq`), and a gap stalls every device behind it. So the check walks each room as a
//! device would: entries in order, each linked to the one before, the first one linked to what
//! the snapshot covers (or to nothing without a snapshot), sequence numbers inside the room's
//! epochs, a verifier wherever there is content. SQLite's own `integrity_check` comes first.
//! The check reads only; a room's problems are reported with the short hash the logs use.

use std::fmt;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;

use crate::room_task::short_hash;
use crate::store::{self, Database};
use crate::Error;

/// What the check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub rooms: u64,
    pub entries: u64,
    pub snapshots: u64,
    /// Sealed bytes in entries and snapshots.
    pub sealed_bytes: u64,
    /// One line per problem, in German, for the operator.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// Whether nothing was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} Räume, {} Einträge, {} Schnappschüsse, {} Bytes verschlüsselter Inhalt",
            self.rooms, self.entries, self.snapshots, self.sealed_bytes
        )?;
        if self.problems.is_empty() {
            return write!(f, "In Ordnung.");
        }
        writeln!(f, "{} Probleme:", self.problems.len())?;
        for problem in &self.problems {
            writeln!(f, "- {problem}")?;
        }
        Ok(())
    }
}

/// Checks every room stored in `database`. Safe while a relay runs on it (SQLite readers do not
/// block the writer; on PostgreSQL the check is just another reader).
pub fn check(database: &Database) -> Result<CheckReport, Error> {
    let mut store = store::open_for_reading(database)?;
    let mut report = CheckReport::default();
    report.problems.extend(store.integrity()?);
    store.begin()?;
    let rooms = store.room_ids()?;
    for room in rooms {
        let records = store.load(&room)?.unwrap_or_default();
        check_room(&room, &records, &mut report);
    }
    store.commit()?;
    Ok(report)
}

/// Adds one room's figures and problems to `report`.
pub(crate) fn check_room(room: &RoomId, records: &[Record], report: &mut CheckReport) {
    report.rooms += 1;
    let name = short_hash(room);
    let mut problem = |text: String| report.problems.push(format!("Raum {name}: {text}"));
    let mut registered = false;
    let mut epoch = 0;
    let mut covers = 0;
    let mut entries = Vec::new();
    let (mut snapshots, mut bytes) = (0, 0);
    for record in records {
        match record {
            Record::Registered { .. } => registered = true,
            // Storage keeps it beside the room's records; loading never returns it.
            Record::Retained { .. } => {}
            Record::Purged { sealed, .. } => bytes += sealed.len() as u64,
            Record::Epoch { epoch: e } => epoch = epoch.max(*e),
            Record::Snapshot { covers_seq, sealed } => {
                snapshots += 1;
                bytes += sealed.len() as u64;
                covers = covers.max(*covers_seq);
            }
            Record::Entry {
                seq,
                prev_seq,
                sealed,
            } => {
                bytes += sealed.len() as u64;
                entries.push((*seq, *prev_seq));
            }
        }
    }
    report.entries += entries.len() as u64;
    report.snapshots += snapshots;
    report.sealed_bytes += bytes;
    if !registered && (snapshots > 0 || !entries.is_empty()) {
        problem("Inhalt ohne Prüfschlüssel (niemand kann zugelassen werden)".into());
    }
    let mut last = None;
    for &(seq, prev_seq) in &entries {
        if seq >> 32 > epoch {
            problem(format!(
                "Eintrag {seq} gehört zu einer Epoche nach der gespeicherten ({epoch})"
            ));
        }
        let expected = last.unwrap_or(0);
        let linked = match last {
            Some(before) => prev_seq == before,
            // The first entry links to what the snapshot covers, or to an entry it replaced.
            None => prev_seq <= covers,
        };
        if !linked || prev_seq >= seq {
            problem(format!(
                "Lücke im Protokoll vor Eintrag {seq} (verweist auf {prev_seq}, erwartet {})",
                if last.is_some() {
                    expected.to_string()
                } else {
                    format!("höchstens {covers}")
                }
            ));
        }
        last = Some(seq);
    }
    if let Some(last) = last {
        if covers > last {
            problem(format!(
                "Schnappschuss deckt {covers} ab, das Protokoll endet bei {last}"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, prev_seq: u64) -> Record {
        Record::Entry {
            seq,
            prev_seq,
            sealed: vec![0; 10],
        }
    }

    fn check_one(records: &[Record]) -> CheckReport {
        let mut report = CheckReport::default();
        check_room(&[1; 16], records, &mut report);
        report
    }

    #[test]
    fn a_whole_room_passes_with_its_figures() {
        let report = check_one(&[
            Record::Registered { verifier: [1; 32] },
            Record::Epoch { epoch: 1 },
            Record::Snapshot {
                covers_seq: 2,
                sealed: vec![0; 5],
            },
            entry(3, 2),
            entry(1 << 32, 3),
            entry((1 << 32) + 1, 1 << 32),
        ]);
        assert!(report.is_ok(), "{report}");
        assert_eq!(
            (
                report.rooms,
                report.entries,
                report.snapshots,
                report.sealed_bytes
            ),
            (1, 3, 1, 35)
        );
    }

    #[test]
    fn gaps_orphans_and_impossible_numbers_are_named() {
        let gap = check_one(&[
            Record::Registered { verifier: [1; 32] },
            entry(1, 0),
            entry(3, 2),
        ]);
        assert_eq!(gap.problems.len(), 1, "{gap}");
        assert!(
            gap.problems[0].contains("Lücke im Protokoll vor Eintrag 3"),
            "{gap}"
        );
        // Entries deleted without a snapshot that covers them.
        let lost = check_one(&[Record::Registered { verifier: [1; 32] }, entry(5, 4)]);
        assert!(lost.problems[0].contains("höchstens 0"), "{lost}");
        let orphan = check_one(&[entry(1, 0)]);
        assert!(
            orphan.problems[0].contains("ohne Prüfschlüssel"),
            "{orphan}"
        );
        let future = check_one(&[Record::Registered { verifier: [1; 32] }, entry(2 << 32, 0)]);
        assert!(future.problems[0].contains("Epoche"), "{future}");
        let beyond = check_one(&[
            Record::Registered { verifier: [1; 32] },
            Record::Snapshot {
                covers_seq: 9,
                sealed: vec![],
            },
            entry(3, 2),
        ]);
        assert!(
            beyond
                .problems
                .iter()
                .any(|p| p.contains("Schnappschuss deckt 9")),
            "{beyond}"
        );
        // Every problem names the room by its hash, never by its id.
        assert!(beyond.problems[0].starts_with(&format!("Raum {}", short_hash(&[1; 16]))));
    }
}
