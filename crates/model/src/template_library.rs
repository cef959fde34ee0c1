//! The templates a device offers: the shipped ones and those an organisation imported, told
//! apart by (`id`, `version`).
//!
//! The rules live here, away from storage and screens, so they are tested natively: a file
//! that is already there changes nothing; the same id and version with other content is
//! refused (a report names its template by id and version, so two different forms under one
//! name would be indistinguishable); a new version of an id — also of a shipped form — is
//! added, and new reports get the newest version of each form.

use std::cmp::Ordering;

use crate::template::Template;

/// What taking a template in would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Not on the device yet: store it.
    New,
    /// Exactly this template (same id, version and content) is already there: nothing to do.
    AlreadyThere,
}

/// Why a template cannot be taken in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LibraryError {
    #[error(
        "Die Vorlage „{id}“ gibt es in Version „{version}“ schon, aber mit anderem Inhalt. \
         Bitte in der Datei eine neue Version angeben (zum Beispiel „{version}.1“)."
    )]
    Conflict { id: String, version: String },
    #[error("Die Vorlage „{id}“ in Version „{version}“ gibt es auf diesem Gerät nicht.")]
    Unknown { id: String, version: String },
    #[error("Die Vorlage „{0}“ ist mit der App ausgeliefert und kann nicht entfernt werden.")]
    Builtin(String),
}

/// The shipped templates and the imported ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    builtin: Vec<Template>,
    imported: Vec<Template>,
}

impl Library {
    /// `imported` may hold anything storage had; a template that duplicates a shipped one
    /// (same id and version) is left out: the shipped one is the same form.
    pub fn new(builtin: Vec<Template>, imported: Vec<Template>) -> Library {
        let mut library = Library {
            builtin,
            imported: Vec::new(),
        };
        for t in imported {
            if library.find(&t.id, &t.version).is_none() {
                library.imported.push(t);
            }
        }
        library
    }

    pub fn builtin(&self) -> &[Template] {
        &self.builtin
    }

    pub fn imported(&self) -> &[Template] {
        &self.imported
    }

    pub fn is_builtin(&self, id: &str, version: &str) -> bool {
        self.builtin
            .iter()
            .any(|t| t.id == id && t.version == version)
    }

    pub fn find(&self, id: &str, version: &str) -> Option<&Template> {
        self.builtin
            .iter()
            .chain(&self.imported)
            .find(|t| t.id == id && t.version == version)
    }

    /// Every version of form `id`, newest first.
    pub fn versions(&self, id: &str) -> Vec<&Template> {
        let mut all: Vec<&Template> = self
            .builtin
            .iter()
            .chain(&self.imported)
            .filter(|t| t.id == id)
            .collect();
        all.sort_by(|a, b| compare_versions(&b.version, &a.version));
        all
    }

    /// The newest version of form `id` (what a new report gets).
    pub fn newest(&self, id: &str) -> Option<&Template> {
        self.versions(id).into_iter().next()
    }

    /// The forms a new report can be made from: the newest version of each id, shipped forms
    /// first in their order, then the other imported forms by name.
    pub fn choices(&self) -> Vec<&Template> {
        let mut ids: Vec<&str> = self.builtin.iter().map(|t| t.id.as_str()).collect();
        let mut others: Vec<&Template> = self
            .imported
            .iter()
            .filter(|t| !self.builtin.iter().any(|b| b.id == t.id))
            .collect();
        others.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        ids.extend(others.iter().map(|t| t.id.as_str()));
        let mut seen = std::collections::HashSet::new();
        ids.into_iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| self.newest(id))
            .collect()
    }

    /// Every template, grouped by form (in the order of [`Library::choices`]), newest version
    /// first within a form: the list of the "Vorlagen" page.
    pub fn all(&self) -> Vec<&Template> {
        self.choices()
            .into_iter()
            .flat_map(|newest| self.versions(&newest.id))
            .collect()
    }

    /// Whether `template` can be added, by the rules in the module documentation. It must have
    /// passed [`Template::from_json`] or [`Template::verify`] already.
    pub fn admit(&self, template: &Template) -> Result<Admission, LibraryError> {
        match self.find(&template.id, &template.version) {
            None => Ok(Admission::New),
            Some(known) if known == template => Ok(Admission::AlreadyThere),
            Some(_) => Err(LibraryError::Conflict {
                id: template.id.clone(),
                version: template.version.clone(),
            }),
        }
    }

    /// Adds a template [`Library::admit`] accepted (storage has it now).
    pub fn add(&mut self, template: Template) {
        if self.find(&template.id, &template.version).is_none() {
            self.imported.push(template);
        }
    }

    /// Checks that (`id`, `version`) is an imported template, which can be removed.
    pub fn removable(&self, id: &str, version: &str) -> Result<(), LibraryError> {
        if self.is_builtin(id, version) {
            return Err(LibraryError::Builtin(id.to_string()));
        }
        if !self
            .imported
            .iter()
            .any(|t| t.id == id && t.version == version)
        {
            return Err(LibraryError::Unknown {
                id: id.to_string(),
                version: version.to_string(),
            });
        }
        Ok(())
    }

    /// Forgets an imported template (storage has removed it). Reports made with it keep
    /// working: each embeds its template.
    pub fn remove(&mut self, id: &str, version: &str) {
        self.imported
            .retain(|t| !(t.id == id && t.version == version));
    }
}

/// Orders versions the way people number them: digit runs as numbers (`2` < `10`,
/// `2026.2` < `2026.10`), other characters as text, and a version that continues another
/// comes after it (`2` < `2.1`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let order = match (x, y) {
            (Part::Number(x), Part::Number(y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (Part::Number(_), Part::Text(_)) => Ordering::Greater,
            (Part::Text(_), Part::Number(_)) => Ordering::Less,
            (Part::Text(x), Part::Text(y)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    pa.len().cmp(&pb.len()).then_with(|| a.cmp(b))
}

enum Part<'a> {
    Number(&'a str),
    Text(&'a str),
}

fn parts(version: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut digits = None;
    for (i, c) in version.char_indices() {
        let d = c.is_ascii_digit();
        if digits.is_some_and(|was| was != d) {
            out.push(part(&version[start..i], digits == Some(true)));
            start = i;
        }
        digits = Some(d);
    }
    if start < version.len() {
        out.push(part(&version[start..], digits == Some(true)));
    }
    out
}

fn part(s: &str, number: bool) -> Part<'_> {
    if number {
        Part::Number(s)
    } else {
        Part::Text(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_like_numbers() {
        use Ordering::*;
        assert_eq!(compare_versions("2", "10"), Less);
        assert_eq!(compare_versions("2026.2", "2026.10"), Less);
        assert_eq!(compare_versions("2", "2.1"), Less);
        assert_eq!(compare_versions("2023.1", "2023.1"), Equal);
        assert_eq!(compare_versions("1.0-beta", "1.0"), Greater);
        assert_ne!(compare_versions("01", "1"), Equal);
        assert_eq!(compare_versions("", "1"), Less);
        assert_eq!(compare_versions("ä2", "ä10"), Less);
    }
}
