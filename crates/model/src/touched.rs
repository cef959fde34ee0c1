//! Which parts of a report a batch of changes from elsewhere touched.
//!
//! A peer's keystroke should make the one field it changed re-read, not the whole form: with
//! every view re-reading on every remote change, the cost of showing a keystroke grows with the
//! size of the form. Automerge reports what an applied change did as patches; this maps them onto
//! the layout of docs/document.md.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{Patch, PatchAction, Prop, ROOT};

use crate::report::key;
use crate::text_control::TextEdit;
use crate::Report;

/// What changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Template field ids whose value changed (not the goals).
    pub fields: BTreeSet<String>,
    /// For texts (fields, and goals' texts by [`crate::text_control::TextTarget::key`]) whose
    /// every change was a splice: the splices in order, so that a control can move its caret
    /// by what happened (see [`crate::text_control`]).
    pub edits: BTreeMap<String, Vec<TextEdit>>,
    /// Fields changed otherwise as well (their text object replaced, a conflict): no edits.
    rewritten: BTreeSet<String>,
    /// Any goal changed (added, removed, moved, text, codes).
    pub goals: bool,
    /// The conversation's step or participants changed.
    pub conversation: bool,
    /// The submission record, the missing-help flags, the review's remarks or the acceptance
    /// changed (the report's place in the case process, shown beside the form).
    pub case: bool,
    /// Something outside fields and goals changed (never in a well-formed report after its
    /// creation): everything should be re-read.
    pub everything: bool,
}

impl Touched {
    /// Whether the text under `key` changed in a way no splice describes.
    pub fn rewritten(&self, key: &str) -> bool {
        self.rewritten.contains(key)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && !self.goals
            && !self.conversation
            && !self.case
            && !self.everything
    }

    fn add(&mut self, patch: &Patch) {
        // The top-level key the patch lies under, and the key below it.
        let mut keys = patch.path.iter().map(|(_, prop)| prop);
        let (top, second) = match (patch.path.first(), keys.next(), keys.next()) {
            (Some((obj, _)), Some(Prop::Map(top)), second) if *obj == ROOT => {
                let second = match second {
                    Some(Prop::Map(k)) => Some(k.clone()),
                    Some(Prop::Seq(_)) => None,
                    // The patch is on the top-level object itself: the key is in the action.
                    None => action_key(&patch.action),
                };
                (Some(top.clone()), second)
            }
            // A patch on the root map itself.
            (None, _, _) => (action_key(&patch.action), None),
            _ => (None, None),
        };
        match (top.as_deref(), second) {
            (Some(key::FIELDS), Some(field)) => {
                self.note_edit(&field, patch, 2);
                self.fields.insert(field);
            }
            (Some(key::GOALS), goal) => {
                self.goals = true;
                // A splice of a goal's text or measures: kept like a field's.
                let prop = |i: usize| match patch.path.get(i).map(|(_, prop)| prop) {
                    Some(Prop::Map(k)) => Some(k.as_str()),
                    _ => None,
                };
                let part = match (prop(2), prop(3)) {
                    (Some(key::TEXT), _) => Some((crate::GoalText::Text, 3)),
                    (Some(key::MEASURES), _) => Some((crate::GoalText::main_measure(), 3)),
                    (Some(m), Some(key::TEXT)) => crate::measures::item_id(m)
                        .map(|id| (crate::GoalText::Measure(id.to_string()), 4)),
                    _ => None,
                };
                if let (Some(goal), Some((part, depth))) = (goal, part) {
                    self.note_edit(
                        &crate::text_control::goal_text_key(&goal, &part),
                        patch,
                        depth,
                    );
                }
            }
            (Some(key::CONVERSATION), _) => self.conversation = true,
            (Some(key::SUBMISSION | key::MISSING_HELP | key::REVIEW | key::ACCEPTANCE), _) => {
                self.case = true
            }
            // The remark and input record beside an own-words field: shown with the field.
            (Some(key::OWN_WORDS), Some(field)) => {
                self.fields.insert(field);
            }
            // Who wrote with which actor, and the device key an actor writes for: nothing on
            // screen shows them (a peer's first keystroke binds its actor; re-reading every
            // view for it would hold up the keystroke).
            (Some(key::ACTORS | crate::trust::KEYS), _) => {}
            _ => self.everything = true,
        }
    }
}

impl Touched {
    /// Keeps the splice a patch on a text (`depth` keys below the root) made, or gives up on
    /// that text's edits.
    fn note_edit(&mut self, field: &str, patch: &Patch, depth: usize) {
        if self.rewritten.contains(field) {
            return;
        }
        let edit = match (&patch.action, patch.path.len() == depth) {
            (PatchAction::SpliceText { index, value, .. }, true) => TextEdit {
                pos: *index,
                delete: 0,
                insert: value.make_string(),
            },
            (PatchAction::DeleteSeq { index, length }, true) => TextEdit {
                pos: *index,
                delete: *length,
                insert: String::new(),
            },
            _ => {
                self.edits.remove(field);
                self.rewritten.insert(field.to_string());
                return;
            }
        };
        self.edits.entry(field.to_string()).or_default().push(edit);
    }
}

fn action_key(action: &PatchAction) -> Option<String> {
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
        _ => None,
    }
}

impl Report {
    /// [`Report::apply`], and what the applied changes touched. Damaged or foreign bytes are
    /// refused as by `apply` and touch nothing.
    pub fn apply_touched(&mut self, bytes: &[u8]) -> crate::Result<Touched> {
        if bytes.is_empty() {
            return Ok(Touched::default());
        }
        // Record patches only around this load: the log costs a little on every later edit.
        self.doc_mut().update_diff_cursor();
        let result = self.apply(bytes);
        let patches = match result {
            Ok(()) => self.doc_mut().diff_incremental(),
            Err(_) => Vec::new(),
        };
        self.doc_mut().reset_diff_cursor();
        result?;
        let mut touched = Touched::default();
        for patch in &patches {
            touched.add(patch);
        }
        Ok(touched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pair;
    use crate::{Date, DateRange, Role};

    fn send(from: &mut Report, to: &mut Report) -> Touched {
        let heads = to.heads();
        let bytes = from.save_after(&heads);
        to.apply_touched(&bytes).expect("apply")
    }

    #[test]
    fn submission_and_missing_help_touch_the_case_only() {
        let (mut a, mut b) = pair();
        let day = Date::parse_iso("2026-11-23").expect("date");
        a.add_missing_help(Role::Caseworker, "wohnen", "Keine WG.", day)
            .expect("flag");
        let t = send(&mut a, &mut b);
        assert!(t.case && t.fields.is_empty() && !t.everything, "{t:?}");
        assert_eq!(b.missing_help().len(), 1);
        a.mark_submitted(Role::Provider, day).expect("submit");
        let t = send(&mut a, &mut b);
        assert!(t.case && !t.everything, "{t:?}");
        assert!(b.submission().is_some());
    }

    #[test]
    fn a_keystroke_touches_its_field_only() {
        let (mut a, mut b) = pair();
        a.set_text(Role::Beneficiary, "wuensche", "Kochen")
            .expect("edit");
        let t = send(&mut a, &mut b);
        assert_eq!(t.fields.iter().collect::<Vec<_>>(), vec!["wuensche"]);
        assert!(!t.goals && !t.everything);
        assert_eq!(b.text("wuensche").ok().as_deref(), Some("Kochen"));
    }

    #[test]
    fn concurrent_typing_arrives_as_splices_that_rebuild_the_text() {
        let (mut a, mut b) = pair();
        a.set_text(Role::Provider, "entwicklung_freizeit", "Ich koche.")
            .expect("edit");
        send(&mut a, &mut b);
        b.splice_text(Role::Provider, "entwicklung_freizeit", 10, 0, " Sie backt.")
            .expect("b types");
        a.splice_text(Role::Provider, "entwicklung_freizeit", 3, 0, " gern")
            .expect("a types");
        a.splice_text(Role::Provider, "entwicklung_freizeit", 0, 1, "")
            .expect("a deletes");
        let shown = b.text("entwicklung_freizeit").expect("text");
        let t = send(&mut a, &mut b);
        let edits = &t.edits["entwicklung_freizeit"];
        assert_eq!(edits.len(), 2, "{edits:?}");
        let rebuilt = edits.iter().fold(shown, |text, e| e.apply(&text));
        assert_eq!(rebuilt, b.text("entwicklung_freizeit").expect("text"));
        assert_eq!(rebuilt, "ch gern koche. Sie backt.");
    }

    #[test]
    fn scalars_ranges_and_signatures_name_their_field() {
        let (mut a, mut b) = pair();
        let day = Date::parse_iso("2026-03-04").expect("date");
        a.set_date(Role::Caseworker, "gesamtplan_vom", Some(day))
            .expect("date");
        a.set_date_range(
            Role::Provider,
            "berichtszeitraum",
            DateRange {
                from: Some(day),
                to: None,
            },
        )
        .expect("range");
        a.set_signature_name(Role::Provider, "unterschrift_leitung", "A. B.")
            .expect("name");
        let t = send(&mut a, &mut b);
        let fields: Vec<_> = t.fields.iter().map(String::as_str).collect();
        assert_eq!(
            fields,
            vec!["berichtszeitraum", "gesamtplan_vom", "unterschrift_leitung"]
        );
        assert!(!t.everything);
    }

    #[test]
    fn goals_are_touched_as_goals() {
        let (mut a, mut b) = pair();
        let g = a.add_goal(Role::Provider).expect("goal");
        a.set_goal_text(Role::Provider, &g, "Allein einkaufen")
            .expect("text");
        let t = send(&mut a, &mut b);
        assert!(t.goals);
        assert!(t.fields.is_empty() && !t.everything);
    }

    #[test]
    fn nothing_new_touches_nothing_and_damage_is_refused() {
        let (mut a, mut b) = pair();
        a.set_text(Role::Beneficiary, "wuensche", "x")
            .expect("edit");
        let bytes = a.save_after(&b.heads());
        send(&mut a, &mut b);
        assert!(b.apply_touched(&bytes).expect("again").is_empty());
        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        let mut c = pair().1;
        assert!(c.apply_touched(&bad).is_err());
        assert_eq!(c.text("wuensche").ok().as_deref(), Some(""));
    }
}
