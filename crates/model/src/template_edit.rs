//! What the in-app template editor may change: the words (form name, section titles, field
//! labels, each in standard German and Leichte Sprache) and the order of sections and fields.
//!
//! Ids are never touched: a field's id is its key in every report's document, so renaming it
//! would orphan what was written. Moving can break a rule (a condition must name an earlier
//! field); the editor saves only what [`Template::verify`] accepts.

use crate::template::Template;

/// Up or down by one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

fn target(from: usize, len: usize, direction: Move) -> Option<usize> {
    match direction {
        Move::Up => from.checked_sub(1),
        Move::Down => (from + 1 < len).then_some(from + 1),
    }
}

impl Template {
    /// Moves the section at `from` one place; returns its new index (`None`: already at the
    /// end, or no such section; nothing changed).
    pub fn move_section(&mut self, from: usize, direction: Move) -> Option<usize> {
        let to = target(from, self.sections.len(), direction)?;
        self.sections.swap(from, to);
        Some(to)
    }

    /// Moves field `from` of section `section` one place within its section; returns its new
    /// index.
    pub fn move_field(&mut self, section: usize, from: usize, direction: Move) -> Option<usize> {
        let fields = &mut self.sections.get_mut(section)?.fields;
        let to = target(from, fields.len(), direction)?;
        fields.swap(from, to);
        Some(to)
    }

    /// Where a section is, by id.
    pub fn section_index(&self, id: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    /// Where a field is, by id: (section index, field index).
    pub fn field_position(&self, id: &str) -> Option<(usize, usize)> {
        self.sections
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.fields.iter().position(|f| f.id == id).map(|j| (i, j)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin_templates;

    #[test]
    fn moves_stay_in_bounds_and_keep_ids() {
        let mut t = builtin_templates().remove(0);
        let ids: Vec<String> = t.fields().map(|f| f.id.clone()).collect();
        assert_eq!(t.move_section(0, Move::Up), None);
        let last = t.sections.len() - 1;
        assert_eq!(t.move_section(last, Move::Down), None);
        let first = t.sections[0].id.clone();
        assert_eq!(t.move_section(0, Move::Down), Some(1));
        assert_eq!(t.section_index(&first), Some(1));
        assert_eq!(t.move_field(1, 0, Move::Down), Some(1));
        assert_eq!(t.move_field(99, 0, Move::Down), None);
        let mut moved: Vec<String> = t.fields().map(|f| f.id.clone()).collect();
        let mut original = ids.clone();
        moved.sort();
        original.sort();
        assert_eq!(moved, original, "the same fields, only in another order");
        assert!(t.verify().is_ok());
    }

    #[test]
    fn a_move_that_breaks_a_condition_is_caught_by_verify() {
        let mut t = builtin_templates()
            .into_iter()
            .find(|t| t.id == "goettingen-feedbackbogen")
            .unwrap();
        // The Anlass decides what follows; moving a section that depends on it above it breaks
        // the rule "conditions name an earlier field".
        let (s, _) = t.field_position("anlass").unwrap();
        t.move_section(s, Move::Down).unwrap();
        let e = t.verify().unwrap_err();
        assert!(e.to_string().contains("vor diesem Feld stehen"), "{e}");
    }
}
