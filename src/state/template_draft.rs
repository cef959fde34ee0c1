//! A template being adapted in the editor: its words and order change here, its ids never
//! (they are the keys of every report's fields). Saved as a new version only when it passes
//! `Template::verify` and the version is new for its id.

use dreieck_model::{compare_versions, Field, Library, Move, Section, Template};
use leptos::prelude::*;

/// Which of a text's two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Words {
    Standard,
    Plain,
}

/// The draft and what the editor last announced (a move, for screen readers).
#[derive(Clone, Copy)]
pub struct TemplateDraft {
    pub template: RwSignal<Template>,
    pub announcement: RwSignal<String>,
}

impl TemplateDraft {
    pub fn new(template: Template) -> TemplateDraft {
        TemplateDraft {
            template: RwSignal::new(template),
            announcement: RwSignal::new(String::new()),
        }
    }

    pub fn set_name(self, words: Words, value: String) {
        self.template.update(|t| match words {
            Words::Standard => t.name = value,
            Words::Plain => t.plain_name = value,
        });
    }

    /// The retention period as typed: empty for none, else whole years (checked on saving,
    /// with the template's own rule: `Template::verify`). What is not a number is kept out
    /// of the draft and named.
    pub fn set_retention(self, value: &str) -> Result<(), String> {
        let value = value.trim();
        let years = if value.is_empty() {
            None
        } else {
            Some(value.parse::<u16>().map_err(|_| {
                "Bitte eine ganze Zahl von Jahren eintragen, oder nichts.".to_string()
            })?)
        };
        self.template.update(|t| t.retention_years = years);
        Ok(())
    }

    pub fn set_section_title(self, section: &str, words: Words, value: String) {
        self.template.update(|t| {
            if let Some(s) = section_mut(t, section) {
                match words {
                    Words::Standard => s.title = value,
                    Words::Plain => s.plain_title = value,
                }
            }
        });
    }

    pub fn set_field_label(self, field: &str, words: Words, value: String) {
        self.template.update(|t| {
            if let Some(f) = field_mut(t, field) {
                match words {
                    Words::Standard => f.label = value,
                    Words::Plain => f.plain_label = value,
                }
            }
        });
    }

    /// Moves a section one place and announces where it is now. Returns whether it can move
    /// further the same way (else focus goes to the other button).
    pub fn move_section(self, section: &str, direction: Move) -> bool {
        let mut outcome = None;
        self.template.update(|t| {
            let Some(from) = t.section_index(section) else {
                return;
            };
            if let Some(to) = t.move_section(from, direction) {
                outcome = Some((to, t.sections.len(), t.sections[to].title.clone()));
            }
        });
        match outcome {
            Some((to, len, title)) => {
                self.announcement.set(format!(
                    "Abschnitt „{title}“ steht jetzt an Stelle {} von {len}.",
                    to + 1
                ));
                can_go(to, len, direction)
            }
            None => false,
        }
    }

    /// Moves a field one place within its section; see [`TemplateDraft::move_section`].
    pub fn move_field(self, field: &str, direction: Move) -> bool {
        let mut outcome = None;
        self.template.update(|t| {
            let Some((s, from)) = t.field_position(field) else {
                return;
            };
            if let Some(to) = t.move_field(s, from, direction) {
                let fields = &t.sections[s].fields;
                outcome = Some((to, fields.len(), fields[to].label.clone()));
            }
        });
        match outcome {
            Some((to, len, label)) => {
                self.announcement.set(format!(
                    "Feld „{label}“ steht jetzt an Stelle {} von {len} in seinem Abschnitt.",
                    to + 1
                ));
                can_go(to, len, direction)
            }
            None => false,
        }
    }

    /// The draft as version `version`, checked: the version must be new for this id, and the
    /// template must pass every check a file must pass.
    pub fn finish(self, version: &str, library: &Library) -> Result<Template, String> {
        let version = version.trim();
        let mut t = self.template.get_untracked();
        if version.is_empty() {
            return Err("Bitte eine Version angeben.".into());
        }
        if library.find(&t.id, version).is_some() {
            return Err(format!(
                "Die Version „{version}“ gibt es für diese Vorlage schon. Bitte eine andere Version angeben."
            ));
        }
        t.version = version.to_string();
        t.verify().map_err(|e| e.to_string())?;
        Ok(t)
    }
}

fn can_go(at: usize, len: usize, direction: Move) -> bool {
    match direction {
        Move::Up => at > 0,
        Move::Down => at + 1 < len,
    }
}

fn section_mut<'a>(t: &'a mut Template, id: &str) -> Option<&'a mut Section> {
    t.sections.iter_mut().find(|s| s.id == id)
}

fn field_mut<'a>(t: &'a mut Template, id: &str) -> Option<&'a mut Field> {
    t.sections
        .iter_mut()
        .flat_map(|s| s.fields.iter_mut())
        .find(|f| f.id == id)
}

/// A version for the adapted template that the id does not have yet: the newest version with
/// its last number raised (`2026.1` → `2026.2`), or with `.1` added.
pub fn suggest_version(library: &Library, id: &str) -> String {
    let newest = library
        .versions(id)
        .first()
        .map(|t| t.version.clone())
        .unwrap_or_else(|| "1".into());
    let mut candidate = bump(&newest);
    while library.find(id, &candidate).is_some() {
        candidate = bump(&candidate);
    }
    debug_assert_eq!(
        compare_versions(&candidate, &newest),
        std::cmp::Ordering::Greater
    );
    candidate
}

fn bump(version: &str) -> String {
    let digits = version
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count();
    let (head, tail) = version.split_at(version.len() - digits);
    match tail.parse::<u64>() {
        Ok(n) if !tail.is_empty() => format!("{head}{}", n + 1),
        _ => format!("{version}.1"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn versions_are_raised() {
        assert_eq!(bump("2026.1"), "2026.2");
        assert_eq!(bump("9"), "10");
        assert_eq!(bump("1.0-beta"), "1.0-beta.1");
        let lib = Library::new(dreieck_model::builtin_templates(), vec![]);
        let kvjs = &lib.builtin()[0];
        let suggested = suggest_version(&lib, &kvjs.id);
        assert!(lib.find(&kvjs.id, &suggested).is_none());
    }
}
