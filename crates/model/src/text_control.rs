//! What a text control shows, and where its caret goes when someone else's edit arrives.
//!
//! Several people type into one field at the same moment in a joint conversation. Whether
//! their words stay whole depends on two positions being exact:
//!
//! - **The position of a keystroke.** A control hands over its whole new value; the edit is
//!   recovered by comparing it with what the control showed before. A plain comparison cannot
//!   tell where a letter went among equal letters ("aa" → "aaa"), and Automerge anchors each
//!   inserted character to the character before it: a letter anchored one place off lands on
//!   the far side of a peer's concurrent word. The caret after the input says where the edit
//!   ended, so [`ShownText::typed`] uses it.
//! - **The caret after a peer's edit.** The edit arrives as splices (from Automerge's patches,
//!   or from the splice a peer's keystroke carries). Each moves the caret by what it did
//!   ([`TextEdit::map`]); comparing old and new text instead cannot know on which side of an
//!   equal character the peer inserted. Text inserted exactly at the caret goes *after* it: the
//!   caret stays behind this person's own last character, so their next keystroke is anchored
//!   to it and never to the peer's word.
//!
//! The DOM counts positions in UTF-16 code units, the report's Automerge text in Unicode scalar
//! values; the conversion happens here, against the text the control shows, so the browser
//! side only reads and writes the control.

use crate::text_diff::splice_between;
use crate::GoalText;

/// A text someone types into: a template field, or a goal's text or one of its measures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextTarget {
    Field(String),
    Goal { goal: String, part: GoalText },
}

impl TextTarget {
    /// A key for maps of what waits for a text's view and of undo histories (a field's id,
    /// or `ziele/<goal>/<text|measures|measure:id>`: field ids are plain identifiers, never
    /// with `/`).
    pub fn key(&self) -> String {
        match self {
            TextTarget::Field(id) => id.clone(),
            TextTarget::Goal { goal, part } => goal_text_key(goal, part),
        }
    }
}

/// [`TextTarget::key`] of a goal's text.
pub fn goal_text_key(goal: &str, part: &GoalText) -> String {
    format!("ziele/{goal}/{}", part.key())
}

/// An edit of a text, positions in Unicode scalar values (the report's text unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

impl TextEdit {
    pub fn new(pos: usize, delete: usize, insert: &str) -> Self {
        TextEdit {
            pos,
            delete,
            insert: insert.to_string(),
        }
    }

    /// Whether applying it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.delete == 0 && self.insert.is_empty()
    }

    /// The text with this edit applied, positions clamped as Automerge clamps them.
    pub fn apply(&self, text: &str) -> String {
        let start = byte_at(text, self.pos);
        let end = start + byte_at(&text[start..], self.delete);
        let mut out = String::with_capacity(text.len() + self.insert.len());
        out.push_str(&text[..start]);
        out.push_str(&self.insert);
        out.push_str(&text[end..]);
        out
    }

    /// Where position `at` is after this edit. Before the edit it stays; after it, it moves
    /// with the text; inside a deleted stretch it goes to where the stretch was. Text inserted
    /// exactly at `at` ends up after it, unless `past_inserts` (the start of a selection keeps
    /// text inserted at it outside the selection).
    pub fn map(&self, at: usize, past_inserts: bool) -> usize {
        let inserted = self.insert.chars().count();
        if at < self.pos || (at == self.pos && !past_inserts) {
            at
        } else if at <= self.pos + self.delete {
            if at == self.pos {
                self.pos + inserted
            } else {
                // Inside or at the end of the deleted stretch.
                self.pos + inserted * usize::from(at == self.pos + self.delete)
            }
        } else {
            at - self.delete + inserted
        }
    }
}

/// The text a control shows, kept equal to the report's text plus the edits shown ahead of it.
///
/// Its length in chars and in UTF-16 units is kept with it, so that a keystroke in a long text
/// (10,000 characters) is found from where the old and new values differ, comparing bytes,
/// without decoding the whole text several times per keystroke on the typing device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownText {
    text: String,
    chars: usize,
    units: usize,
}

/// A selection in UTF-16 code units, as the DOM reports it.
pub type Selection16 = (u32, u32);

impl ShownText {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let (chars, units) = counts(&text);
        Self { text, chars, units }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text's length in Unicode scalar values.
    pub fn chars(&self) -> usize {
        self.chars
    }

    fn set(&mut self, text: String) {
        *self = ShownText::new(text);
    }

    /// The person changed the control to `value`; `caret` (UTF-16) is where the caret is now.
    /// Returns the edit they made, `None` if the value is what was shown.
    ///
    /// When the text after the caret is what followed it before, the edit is the one that
    /// ends at the caret (typing, deleting, pasting, dictating). Otherwise (a caret the
    /// browser did not move, a script changing the value) the smallest edit is taken.
    pub fn typed(&mut self, value: &str, caret: Option<u32>) -> Option<TextEdit> {
        if value == self.text {
            return None;
        }
        let smallest = self.smallest_edit(value);
        let edit = match caret {
            // Typing: the smallest edit ends at the caret (the common case, found without
            // converting the caret). Otherwise the caret decides among equal letters.
            Some(c) if c as usize != smallest.end_units => {
                edit_ending_at(&self.text, value, char_at_utf16(value, c)).unwrap_or(smallest.edit)
            }
            _ => smallest.edit,
        };
        self.text = value.to_string();
        self.chars = smallest.chars;
        self.units = smallest.units;
        Some(edit)
    }

    /// Edits made elsewhere, in order: the new text, and where `selection` (UTF-16) goes.
    pub fn receive(
        &mut self,
        edits: &[TextEdit],
        selection: Option<Selection16>,
    ) -> Option<Selection16> {
        let mut chars =
            selection.map(|(s, e)| (char_at_utf16(&self.text, s), char_at_utf16(&self.text, e)));
        for edit in edits {
            // As Automerge clamps: a position past the end is the end.
            let len = self.chars;
            let pos = edit.pos.min(len);
            let edit = &TextEdit {
                pos,
                delete: edit.delete.min(len - pos),
                insert: edit.insert.clone(),
            };
            if let Some((s, e)) = chars.as_mut() {
                let collapsed = *s == *e;
                // A collapsed caret stays before text inserted at it; a selection keeps it
                // outside at both ends.
                *s = edit.map(*s, !collapsed);
                *e = edit.map(*e, false);
                if collapsed {
                    *s = *e;
                }
            }
            self.apply(edit);
        }
        chars.map(|(s, e)| (utf16_at_char(&self.text, s), utf16_at_char(&self.text, e)))
    }

    /// The person changed the control to `value` (caret at `caret`, UTF-16) while `pending`
    /// edits from elsewhere were not shown yet: during a composition (a dead key, an on-screen
    /// keyboard's word, dictation), which a change of the control's value would break. Their
    /// edit is moved past the pending ones. Returns it (in the report's positions after
    /// `pending`) and where the caret goes; the text is then what the report holds.
    pub fn rebase(
        &mut self,
        value: &str,
        caret: Option<u32>,
        pending: &[TextEdit],
    ) -> (Option<TextEdit>, Option<u32>) {
        let before = self.clone();
        let typed = self.typed(value, caret);
        *self = before;
        let caret_chars = caret.map(|c| char_at_utf16(value, c));
        self.receive(pending, None);
        let Some(edit) = typed else {
            // Nothing typed: the caret moves with the pending edits like any caret.
            let caret = caret_chars.map(|c| {
                let at = pending.iter().fold(c, |at, e| e.map(at, false));
                utf16_at_char(&self.text, at)
            });
            return (None, caret);
        };
        let start = pending.iter().fold(edit.pos, |at, e| e.map(at, false));
        let end = pending
            .iter()
            .fold(edit.pos + edit.delete, |at, e| e.map(at, false));
        let moved = TextEdit {
            pos: start,
            delete: end.saturating_sub(start),
            insert: edit.insert,
        };
        self.set(moved.apply(&self.text));
        let caret = utf16_at_char(&self.text, start + moved.insert.chars().count());
        (Some(moved), Some(caret))
    }

    /// The control must show `text`, and no edits say how it got there (a change that
    /// replaced the whole field, a correction after a peer's preview turned out wrong): the
    /// selection keeps its place relative to the unchanged text around it.
    pub fn replace(&mut self, text: &str, selection: Option<Selection16>) -> Option<Selection16> {
        let (pos, delete, insert) = splice_between(&self.text, text);
        let edit = TextEdit {
            pos,
            delete,
            insert,
        };
        self.receive(&[edit], selection)
    }
}

impl ShownText {
    /// The smallest edit from this text to `new` (the common prefix first, then the common
    /// suffix of what remains, as `splice_between`), found by comparing bytes; with where it
    /// ends in `new` in UTF-16 units and `new`'s lengths.
    fn smallest_edit(&self, new: &str) -> Smallest {
        let (a, b) = (self.text.as_bytes(), new.as_bytes());
        let mut p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        // Equal bytes up to `p`: the char around `p` started with the same byte in both, so
        // `p` is a boundary in both or in neither.
        while !self.text.is_char_boundary(p) {
            p -= 1;
        }
        let room = (a.len() - p).min(b.len() - p);
        let mut s = a[p..]
            .iter()
            .rev()
            .zip(b[p..].iter().rev())
            .take(room)
            .take_while(|(x, y)| x == y)
            .count();
        // The suffix starts at the same byte in both: a boundary in both or in neither.
        while !self.text.is_char_boundary(a.len() - s) {
            s -= 1;
        }
        let old_mid = &self.text[p..a.len() - s];
        let new_mid = &new[p..b.len() - s];
        // Chars and units before `p`, counted on the shorter side of it.
        let (before_chars, before_units) = if p <= a.len() / 2 {
            counts(&self.text[..p])
        } else {
            let (c, u) = counts(&self.text[p..]);
            (self.chars - c, self.units - u)
        };
        let (del_chars, del_units) = counts(old_mid);
        let (ins_chars, ins_units) = counts(new_mid);
        Smallest {
            edit: TextEdit {
                pos: before_chars,
                delete: del_chars,
                insert: new_mid.to_string(),
            },
            end_units: before_units + ins_units,
            chars: self.chars - del_chars + ins_chars,
            units: self.units - del_units + ins_units,
        }
    }

    /// Applies `edit` (positions already clamped) in place, finding its bytes from the nearer
    /// end of the text.
    fn apply(&mut self, edit: &TextEdit) {
        let start = byte_of_char(&self.text, self.chars, edit.pos);
        let end = start + byte_at(&self.text[start..], edit.delete);
        let (del_chars, del_units) = counts(&self.text[start..end]);
        let (ins_chars, ins_units) = counts(&edit.insert);
        self.text.replace_range(start..end, &edit.insert);
        self.chars = self.chars - del_chars + ins_chars;
        self.units = self.units - del_units + ins_units;
    }
}

/// What [`ShownText::smallest_edit`] found.
struct Smallest {
    edit: TextEdit,
    end_units: usize,
    chars: usize,
    units: usize,
}

/// A text's length in chars and in UTF-16 units.
fn counts(text: &str) -> (usize, usize) {
    text.chars()
        .fold((0, 0), |(c, u), ch| (c + 1, u + ch.len_utf16()))
}

/// The byte offset of char `n` of `text`, which has `chars` chars, walking from the nearer end.
fn byte_of_char(text: &str, chars: usize, n: usize) -> usize {
    if n >= chars {
        return text.len();
    }
    if n <= chars / 2 {
        return byte_at(text, n);
    }
    text.char_indices()
        .rev()
        .nth(chars - n - 1)
        .map_or(0, |(i, _)| i)
}

/// The edit that turned `old` into `new` if it ends at `caret` (chars in `new`): the text after
/// the caret must be what ended `old`.
fn edit_ending_at(old: &str, new: &str, caret: usize) -> Option<TextEdit> {
    let tail = &new[byte_at(new, caret)..];
    let kept = old.strip_suffix(tail)?;
    let head = &new[..new.len() - tail.len()];
    let prefix = kept
        .chars()
        .zip(head.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let from_kept = byte_at(kept, prefix);
    let from_head = byte_at(head, prefix);
    Some(TextEdit {
        pos: prefix,
        delete: kept[from_kept..].chars().count(),
        insert: head[from_head..].to_string(),
    })
}

/// The byte offset of the `n`th char of `text` (its length when `n` is past the end).
fn byte_at(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// The char index at UTF-16 offset `at` (a position inside a surrogate pair rounds down;
/// past the end is the end).
pub fn char_at_utf16(text: &str, at: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.chars().enumerate() {
        units += c.len_utf16() as u32;
        if units > at {
            return i;
        }
    }
    text.chars().count()
}

/// The UTF-16 offset of char index `at` (the end when past it).
pub fn utf16_at_char(text: &str, at: usize) -> u32 {
    text.chars().take(at).map(|c| c.len_utf16() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_letter_typed_among_equal_letters_is_where_the_caret_says() {
        let mut shown = ShownText::new("aa");
        // Typed between the two a's: the caret is at 2 afterwards.
        assert_eq!(shown.typed("aaa", Some(2)), Some(TextEdit::new(1, 0, "a")));
        // Backspace on the first a of "aaa".
        assert_eq!(shown.typed("aa", Some(0)), Some(TextEdit::new(0, 1, "")));
        // Without a caret, the smallest edit.
        assert_eq!(shown.typed("aab", None), Some(TextEdit::new(2, 0, "b")));
        assert_eq!(shown.typed("aab", Some(3)), None);
    }

    #[test]
    fn typing_over_a_selection_and_pasting_are_one_edit() {
        let mut shown = ShownText::new("Ich koche gern.");
        assert_eq!(
            shown.typed("Ich backe gern.", Some(9)),
            Some(TextEdit::new(4, 5, "backe"))
        );
        assert_eq!(
            shown.typed("Ich backe sehr gern.", Some(15)),
            Some(TextEdit::new(10, 0, "sehr "))
        );
    }

    #[test]
    fn a_caret_that_does_not_fit_falls_back_to_the_smallest_edit() {
        let mut shown = ShownText::new("abc");
        // The caret claims the edit ended at 0, but "abcd" does not end with "abc"'s tail.
        assert_eq!(shown.typed("abcd", Some(0)), Some(TextEdit::new(3, 0, "d")));
        // A caret past the end is the end.
        assert_eq!(
            shown.typed("abcde", Some(99)),
            Some(TextEdit::new(4, 0, "e"))
        );
    }

    #[test]
    fn umlauts_and_emoji_count_as_the_dom_counts() {
        let mut shown = ShownText::new("Grüße 😀");
        // The caret after the new emoji is at UTF-16 offset 10 (each emoji is two units).
        assert_eq!(
            shown.typed("Grüße 😀😀", Some(10)),
            Some(TextEdit::new(7, 0, "😀"))
        );
        let sel = shown.receive(&[TextEdit::new(0, 0, "😀")], Some((10, 10)));
        assert_eq!(sel, Some((12, 12)));
        assert_eq!(shown.text(), "😀Grüße 😀😀");
    }

    #[test]
    fn a_peers_insert_at_the_caret_goes_after_it() {
        let mut shown = ShownText::new("Ich koche");
        // Someone types at the end where this caret also is: the caret stays before it.
        let sel = shown.receive(&[TextEdit::new(9, 0, " gern")], Some((9, 9)));
        assert_eq!(sel, Some((9, 9)));
        // Someone types before the caret: it moves with the text.
        let sel = shown.receive(&[TextEdit::new(0, 0, "Ja, ")], Some((9, 9)));
        assert_eq!(sel, Some((13, 13)));
        assert_eq!(shown.text(), "Ja, Ich koche gern");
    }

    #[test]
    fn a_selection_keeps_a_peers_insert_outside_at_both_ends() {
        let mut shown = ShownText::new("abc");
        let sel = shown.receive(
            &[TextEdit::new(1, 0, "X"), TextEdit::new(3, 0, "Y")],
            Some((1, 2)),
        );
        assert_eq!(shown.text(), "aXbYc");
        assert_eq!(sel, Some((2, 3)), "the selection is still just 'b'");
    }

    #[test]
    fn a_deletion_around_the_caret_takes_it_to_the_gap() {
        let mut shown = ShownText::new("Hallo schöne Welt");
        let sel = shown.receive(&[TextEdit::new(6, 7, "")], Some((9, 9)));
        assert_eq!((shown.text(), sel), ("Hallo Welt", Some((6, 6))));
        let sel = shown.receive(&[TextEdit::new(0, 6, "")], Some((8, 8)));
        assert_eq!((shown.text(), sel), ("Welt", Some((2, 2))));
    }

    #[test]
    fn replacing_keeps_the_caret_with_the_text_around_it() {
        let mut shown = ShownText::new("Welt");
        assert_eq!(shown.replace("Hallo Welt", Some((2, 2))), Some((8, 8)));
        assert_eq!(shown.replace("Hallo", Some((9, 9))), Some((5, 5)));
    }

    #[test]
    fn positions_from_outside_are_clamped_never_panic() {
        let mut shown = ShownText::new("ab");
        let sel = shown.receive(&[TextEdit::new(9, 9, "c")], Some((40, 50)));
        assert_eq!(shown.text(), "abc");
        assert_eq!(sel, Some((2, 2)));
    }

    #[test]
    fn a_word_composed_while_a_peer_typed_lands_where_it_was_composed() {
        let mut shown = ShownText::new("Ich koche.");
        // While "gern " was being composed after "Ich ", a peer added "Ja, " in front and "!"
        // at the end; the control still shows the text from before plus the composed word.
        let pending = [TextEdit::new(0, 0, "Ja, "), TextEdit::new(13, 1, "!")];
        let (made, caret) = shown.rebase("Ich gern koche.", Some(9), &pending);
        assert_eq!(made, Some(TextEdit::new(8, 0, "gern ")));
        assert_eq!(shown.text(), "Ja, Ich gern koche!");
        assert_eq!(caret, Some(13), "right after the composed word");
        // Nothing composed: the pending edits are shown and the caret moves with them.
        let (made, caret) = shown.rebase(
            "Ja, Ich gern koche!",
            Some(4),
            &[TextEdit::new(0, 0, "Oh, ")],
        );
        assert_eq!((made, caret), (None, Some(8)));
        assert_eq!(shown.text(), "Oh, Ja, Ich gern koche!");
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just('a'), Just('b'), Just('ü'), Just('😀')],
            0..12,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    proptest! {
        /// Whatever the caret claims, the edit turns the old text into the new one.
        #[test]
        fn typed_edits_reproduce_the_value(old in text(), new in text(), caret in 0u32..30) {
            let mut shown = ShownText::new(old.clone());
            match shown.typed(&new, Some(caret)) {
                Some(e) => prop_assert_eq!(e.apply(&old), new),
                None => prop_assert_eq!(old, new),
            }
        }

        /// An edit ending at the caret is found exactly: inserting `ins` at `at`.
        #[test]
        fn an_insert_is_found_where_it_was_made(old in text(), ins in text(), at in 0usize..12) {
            prop_assume!(!ins.is_empty());
            let at = at.min(old.chars().count());
            let made = TextEdit::new(at, 0, &ins);
            let new = made.apply(&old);
            let caret = utf16_at_char(&new, at + ins.chars().count());
            let mut shown = ShownText::new(old);
            prop_assert_eq!(shown.typed(&new, Some(caret)), Some(made));
        }

        /// The byte-wise keystroke search finds exactly what decoding the whole text found, and
        /// the kept lengths stay true, whatever is typed, received and replaced in turn.
        #[test]
        fn the_fast_search_agrees_with_the_plain_one(
            start in text(),
            steps in proptest::collection::vec((text(), 0u32..30, any::<bool>(), 0usize..12, 0usize..4), 1..8),
        ) {
            let mut shown = ShownText::new(start);
            for (value, caret, typed, at, delete) in steps {
                let old = shown.text().to_string();
                if typed {
                    let plain = if value == old {
                        None
                    } else {
                        Some(edit_ending_at(&old, &value, char_at_utf16(&value, caret)).unwrap_or_else(|| {
                            let (pos, delete, insert) = splice_between(&old, &value);
                            TextEdit { pos, delete, insert }
                        }))
                    };
                    prop_assert_eq!(shown.typed(&value, Some(caret)), plain);
                    prop_assert_eq!(shown.text(), value.as_str());
                } else {
                    let edit = TextEdit::new(at, delete, &value);
                    let len = old.chars().count();
                    let pos = at.min(len);
                    let clamped = TextEdit::new(pos, delete.min(len - pos), &value);
                    shown.receive(&[edit], None);
                    prop_assert_eq!(shown.text(), clamped.apply(&old));
                }
                prop_assert_eq!(shown.chars(), shown.text().chars().count());
                prop_assert_eq!(shown.units, shown.text().encode_utf16().count());
            }
        }

        /// A rebased edit applied after the pending edits gives the text the control then shows.
        #[test]
        fn a_rebased_edit_fits_the_report(old in text(), new in text(), ins in text(), at in 0usize..12, caret in 0u32..30) {
            let pending = [TextEdit::new(at.min(old.chars().count()), 0, &ins)];
            let report = pending[0].apply(&old);
            let mut shown = ShownText::new(old);
            let (made, _) = shown.rebase(&new, Some(caret), &pending);
            let expected = made.map_or(report.clone(), |m| m.apply(&report));
            prop_assert_eq!(shown.text(), expected);
        }
    }
}
