//! Undo and redo of one person's own typing in a text field, while others type in it too.
//!
//! Automerge has no undo, and a document-wide one would be wrong here anyway: in a joint
//! conversation Strg+Z must take back what *this* person just typed, never the sentence the
//! person beside them is writing. So each device keeps, per field, the edits its person made
//! (what they inserted, as ranges of the text, and what they deleted), and moves those ranges
//! along with every edit from elsewhere ([`TypingHistory::follow`]), the way a caret moves. A
//! peer typing inside a range this person inserted splits it, so undo removes this person's
//! characters and leaves the peer's. Undoing is an ordinary edit, checked and signed like any
//! keystroke; the app forgets the history when a signature is made, so undo never reaches
//! behind it.
//!
//! Keystrokes close together in time and place form one step (a word or a burst of typing),
//! as in any editor.

use crate::text_control::TextEdit;

/// Keystrokes further apart than this start a new undo step.
pub const STEP_PAUSE_MS: f64 = 1000.0;
/// Steps kept per field.
const MAX_STEPS: usize = 100;
/// Parts per step (edits that could not be merged into the one before); more start a step.
const MAX_PARTS: usize = 64;

/// One edit as made: where its inserted characters are now, and what it deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    /// Disjoint, ascending `[start, end)` ranges in Unicode scalar values.
    inserted: Vec<(usize, usize)>,
    /// Where the deleted text was (it goes back here).
    at: usize,
    removed: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Step {
    parts: Vec<Part>,
}

/// One person's typing history in one field.
#[derive(Debug, Clone, Default)]
pub struct TypingHistory {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// When the last edit was recorded, and where it ended: the next one joins its step if
    /// it comes soon and continues there.
    last: Option<(f64, usize)>,
}

impl TypingHistory {
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Forgets everything (a signature was made; the field was written anew).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// This person made `edit`, which deleted `removed`, at `now_ms`.
    pub fn record(&mut self, edit: &TextEdit, removed: &str, now_ms: f64) {
        if edit.is_empty() {
            return;
        }
        let part = part_of(edit, removed);
        let end = edit.pos + edit.insert.chars().count();
        let joins = self.last.is_some_and(|(t, at)| {
            now_ms - t < STEP_PAUSE_MS && (at == edit.pos || at == edit.pos + edit.delete)
        });
        // Typing on at the end of this step's last stretch, or taking back its last letters,
        // changes that stretch instead of adding a part: a sentence typed is one part, so the
        // cost of following an edit does not grow with every keystroke.
        let tail = self
            .undo
            .last()
            .and_then(|step| step.parts.last())
            .and_then(|p| p.inserted.last().copied());
        let extends = joins && edit.delete == 0 && tail.is_some_and(|(_, e)| e == edit.pos);
        let takes_back = joins
            && edit.insert.is_empty()
            && tail.is_some_and(|(s, e)| edit.pos >= s && edit.pos + edit.delete == e);
        // This person's earlier edits move with this one like with anyone's.
        for step in &mut self.undo {
            for p in &mut step.parts {
                p.follow(edit, false);
            }
        }
        let grown = self.undo.last_mut().and_then(|step| step.parts.last_mut());
        match grown {
            Some(last) if extends => {
                if let Some(range) = last.inserted.last_mut() {
                    range.1 = end;
                }
            }
            // The deletion already shrank the stretch while following.
            Some(_) if takes_back => {}
            _ => match self.undo.last_mut() {
                Some(step) if joins && step.parts.len() < MAX_PARTS => step.parts.push(part),
                _ => {
                    self.undo.push(Step { parts: vec![part] });
                    if self.undo.len() > MAX_STEPS {
                        self.undo.remove(0);
                    }
                }
            },
        }
        self.last = Some((now_ms, end));
        self.redo.clear();
    }

    /// An edit from elsewhere: every recorded position moves with it.
    pub fn follow(&mut self, edit: &TextEdit) {
        for step in self.undo.iter_mut().chain(self.redo.iter_mut()) {
            for part in &mut step.parts {
                part.follow(edit, false);
            }
        }
        self.last = self.last.map(|(t, at)| (t, edit.map(at, false)));
    }

    /// The edits that take back this person's last step on `text` (each applies to the text
    /// the previous one left), or nothing to undo.
    pub fn undo(&mut self, text: &str) -> Vec<TextEdit> {
        let Some(step) = self.undo.pop() else {
            return Vec::new();
        };
        let (edits, inverse) = revert(text, step);
        self.follow_own(&edits, false);
        self.redo.push(inverse);
        edits
    }

    /// The edits that make the last undone step again.
    pub fn redo(&mut self, text: &str) -> Vec<TextEdit> {
        let Some(step) = self.redo.pop() else {
            return Vec::new();
        };
        let (edits, inverse) = revert(text, step);
        self.follow_own(&edits, true);
        self.undo.push(inverse);
        edits
    }
}

impl TypingHistory {
    /// The other steps follow what an undo or a redo (`redone`) did; the next keystroke
    /// starts a step of its own.
    fn follow_own(&mut self, edits: &[TextEdit], redone: bool) {
        for edit in edits {
            for step in &mut self.undo {
                for part in &mut step.parts {
                    part.follow(edit, false);
                }
            }
            for step in &mut self.redo {
                for part in &mut step.parts {
                    part.follow(edit, redone);
                }
            }
        }
        self.last = None;
    }
}

fn part_of(edit: &TextEdit, removed: &str) -> Part {
    let inserted = edit.insert.chars().count();
    Part {
        inserted: if inserted > 0 {
            vec![(edit.pos, edit.pos + inserted)]
        } else {
            Vec::new()
        },
        at: edit.pos,
        removed: removed.to_string(),
    }
}

impl Part {
    /// Moves with `edit`. Text inserted exactly at a recorded position goes after it, unless
    /// `after` (the steps still to redo, when an earlier one is redone: they were typed after
    /// it, and their positions collapsed onto its place when it was undone).
    fn follow(&mut self, edit: &TextEdit, after: bool) {
        // A replacement is a deletion, then an insertion where it was.
        if edit.delete > 0 {
            self.follow_insert_or_delete(
                &TextEdit {
                    pos: edit.pos,
                    delete: edit.delete,
                    insert: String::new(),
                },
                after,
            );
        }
        if !edit.insert.is_empty() {
            self.follow_insert_or_delete(
                &TextEdit {
                    pos: edit.pos,
                    delete: 0,
                    insert: edit.insert.clone(),
                },
                after,
            );
        }
    }

    fn follow_insert_or_delete(&mut self, edit: &TextEdit, after: bool) {
        let added = edit.insert.chars().count();
        let mut ranges = Vec::with_capacity(self.inserted.len() + 1);
        for &(s, e) in &self.inserted {
            // Text inserted right at either end stays outside this person's range; strictly
            // inside, it splits the range (the peer's characters are not this person's).
            if added > 0 && s < edit.pos && edit.pos < e {
                ranges.push((s, edit.pos));
                ranges.push((edit.pos + added, e + added));
                continue;
            }
            let s2 = edit.map(s, true);
            let e2 = edit.map(e, after);
            if e2 > s2 {
                ranges.push((s2, e2));
            }
        }
        self.inserted = ranges;
        self.at = edit.map(self.at, after);
    }
}

/// The edits that revert `step` on `text`, and the step that reverts them. Parts are
/// reverted last to first, each stretch of a part on its own (a peer's text may lie between
/// them), and what is still to revert follows each edit made.
fn revert(text: &str, step: Step) -> (Vec<TextEdit>, Step) {
    let mut text = text.to_string();
    let mut edits = Vec::new();
    let mut parts = step.parts;
    let mut inverse: Vec<Part> = Vec::new();
    let mut make = |edit: TextEdit,
                    text: &mut String,
                    parts: &mut Vec<Part>,
                    inverse: &mut Vec<Part>,
                    undone: Part| {
        *text = edit.apply(text);
        for p in parts.iter_mut().chain(inverse.iter_mut()) {
            p.follow(&edit, false);
        }
        inverse.push(undone);
        edits.push(edit);
    };
    while let Some(part) = parts.pop() {
        // From the last stretch to the first: earlier positions stay valid.
        for &(s, e) in part.inserted.iter().rev() {
            let len = text.chars().count();
            let (s, e) = (s.min(len), e.min(len));
            if e <= s {
                continue;
            }
            let gone: String = text.chars().skip(s).take(e - s).collect();
            let edit = TextEdit {
                pos: s,
                delete: e - s,
                insert: String::new(),
            };
            let undone = Part {
                inserted: Vec::new(),
                at: s,
                removed: gone,
            };
            make(edit, &mut text, &mut parts, &mut inverse, undone);
        }
        // `at` lies before the stretches just deleted: they did not move it.
        let at = part.at.min(text.chars().count());
        let back = part.removed.chars().count();
        if back > 0 {
            let edit = TextEdit {
                pos: at,
                delete: 0,
                insert: part.removed,
            };
            let undone = Part {
                inserted: vec![(at, at + back)],
                at,
                removed: String::new(),
            };
            make(edit, &mut text, &mut parts, &mut inverse, undone);
        }
    }
    // Redo pops parts from the end; after the reverse that is the stretch deleted first here.
    // Stretches put back at one place each land before those already back (text inserted at
    // a position goes after it), so going back in the order they were deleted restores them.
    inverse.reverse();
    (edits, Step { parts: inverse })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `edits` to `text` in order.
    fn apply(text: &str, edits: &[TextEdit]) -> String {
        edits.iter().fold(text.to_string(), |t, e| e.apply(&t))
    }

    /// Types `typed` at `at` one character per keystroke, `ms` apart from `t0`.
    fn type_at(h: &mut TypingHistory, text: &mut String, at: usize, typed: &str, t0: f64, ms: f64) {
        for (i, c) in typed.chars().enumerate() {
            let e = TextEdit::new(at + i, 0, &c.to_string());
            h.record(&e, "", t0 + i as f64 * ms);
            *text = e.apply(text);
        }
    }

    #[test]
    fn undo_takes_back_a_burst_of_typing_and_redo_makes_it_again() {
        let mut h = TypingHistory::default();
        let mut text = String::from("Ich koche.");
        type_at(&mut h, &mut text, 9, " gern", 0.0, 100.0);
        // A pause, then more.
        type_at(&mut h, &mut text, 14, " heute", 5000.0, 100.0);
        assert_eq!(text, "Ich koche gern heute.");
        let e = h.undo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ich koche gern.");
        let e = h.undo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ich koche.");
        assert!(!h.can_undo());
        assert!(h.undo(&text).is_empty());
        let e = h.redo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ich koche gern.");
        let e = h.redo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ich koche gern heute.");
        assert!(!h.can_redo());
    }

    #[test]
    fn undo_leaves_a_peers_typing_alone() {
        let mut h = TypingHistory::default();
        let mut text = String::from("Wir reden.");
        type_at(&mut h, &mut text, 10, " Ich male.", 0.0, 50.0);
        // A peer types before, after, and in the middle of this person's sentence.
        for peer in [
            TextEdit::new(0, 0, "Ja. "),
            TextEdit::new(24, 0, " Du singst."),
            TextEdit::new(19, 0, "gern "),
        ] {
            h.follow(&peer);
            text = peer.apply(&text);
        }
        assert_eq!(text, "Ja. Wir reden. Ich gern male. Du singst.");
        let e = h.undo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ja. Wir reden.gern  Du singst.");
        let e = h.redo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ja. Wir reden. Ich gern male. Du singst.", "{e:?}");
    }

    #[test]
    fn undoing_a_deletion_puts_the_text_back_where_it_was() {
        let mut h = TypingHistory::default();
        let mut text = String::from("Ich koche sehr gern.");
        let del = TextEdit::new(10, 5, "");
        h.record(&del, "sehr ", 0.0);
        text = del.apply(&text);
        // A peer adds at the start meanwhile.
        let peer = TextEdit::new(0, 0, "Ja, ");
        h.follow(&peer);
        text = peer.apply(&text);
        let e = h.undo(&text);
        text = apply(&text, &e);
        assert_eq!(text, "Ja, Ich koche sehr gern.");
    }

    #[test]
    fn a_peer_deleting_this_persons_words_leaves_nothing_to_remove() {
        let mut h = TypingHistory::default();
        let mut text = String::from("A");
        type_at(&mut h, &mut text, 1, "bc", 0.0, 10.0);
        let peer = TextEdit::new(0, 3, "Z");
        h.follow(&peer);
        text = peer.apply(&text);
        let e = h.undo(&text);
        assert_eq!(apply(&text, &e), "Z");
    }

    #[test]
    fn a_long_burst_with_corrections_is_one_stretch() {
        let mut h = TypingHistory::default();
        let mut text = String::from("Start.");
        type_at(&mut h, &mut text, 6, " Ein langer Satz", 0.0, 10.0);
        // Two backspaces and a correction, still in the burst.
        for i in 0..2 {
            let at = text.chars().count() - 1;
            let e = TextEdit::new(at, 1, "");
            let removed: String = text.chars().skip(at).collect();
            h.record(&e, &removed, 200.0 + f64::from(i));
            text = e.apply(&text);
        }
        let end = text.chars().count();
        type_at(&mut h, &mut text, end, "tz.", 300.0, 10.0);
        assert_eq!(text, "Start. Ein langer Satz.");
        assert_eq!(h.undo.len(), 1);
        assert_eq!(h.undo[0].parts.len(), 1, "{:?}", h.undo[0]);
        let e = h.undo(&text);
        assert_eq!(apply(&text, &e), "Start.");
    }

    #[test]
    fn typing_after_an_undo_forgets_the_redo() {
        let mut h = TypingHistory::default();
        let mut text = String::new();
        type_at(&mut h, &mut text, 0, "ab", 0.0, 10.0);
        let e = h.undo(&text);
        text = apply(&text, &e);
        type_at(&mut h, &mut text, 0, "c", 5000.0, 10.0);
        assert!(!h.can_redo());
        assert_eq!(text, "c");
    }

    use proptest::prelude::*;

    proptest! {
        /// This person inserts lowercase letters, a peer uppercase ones, anywhere, interleaved:
        /// undoing every step leaves exactly the peer's letters and the text from before, in
        /// order; redoing every step gives back the text as it was.
        #[test]
        fn undo_removes_exactly_this_persons_letters(
            ops in proptest::collection::vec((any::<bool>(), 0usize..40, 0u8..26, 0u32..3), 1..40)
        ) {
            let mut h = TypingHistory::default();
            let mut text = String::from("0123456789");
            let mut now = 0.0;
            for (mine, at, letter, pause) in ops {
                let at = at % (text.chars().count() + 1);
                now += [10.0, 100.0, 5000.0][pause as usize];
                if mine {
                    let e = TextEdit::new(at, 0, &char::from(b'a' + letter).to_string());
                    h.record(&e, "", now);
                    text = e.apply(&text);
                } else {
                    let e = TextEdit::new(at, 0, &char::from(b'A' + letter).to_string());
                    h.follow(&e);
                    text = e.apply(&text);
                }
            }
            let full = text.clone();
            while h.can_undo() {
                let e = h.undo(&text);
                text = apply(&text, &e);
            }
            let expected: String = full.chars().filter(|c| !c.is_ascii_lowercase()).collect();
            prop_assert_eq!(&text, &expected);
            while h.can_redo() {
                let e = h.redo(&text);
                text = apply(&text, &e);
            }
            let mine = |t: &str| t.chars().filter(|c| c.is_ascii_lowercase()).count();
            prop_assert_eq!(mine(&text), mine(&full));
            prop_assert_eq!(
                text.chars().filter(|c| !c.is_ascii_lowercase()).collect::<String>(),
                expected
            );
        }
    }
}
