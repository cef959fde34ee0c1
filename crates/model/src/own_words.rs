//! The person's own words (O-Ton): fields the template marks `own_words`.
//!
//! The guidance behind the forms asks for the beneficiary's words "präzise mit den Worten des
//! eLb (O-Ton)": staff may add a note beside them, never rewrite them. So the text of such a
//! field is written only in the beneficiary's role (`check_edit` refuses every other role with
//! [`ModelError::OwnWords`]), the other editors of the field write a remark of their own beside
//! it, and the document records how the words got there — typed, dictated, or both — so a
//! reader knows whether a speech recogniser stood between the person and the text.
//!
//! Layout: `own_words.<field id> = { remark: Text, typed: true, dictated: true }` (a flag is
//! absent until that way of input was used). The maps are made with the report; a report made
//! before own words existed gets them with its first remark or input.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ROOT};

use crate::report::key;
use crate::{ModelError, Report, Result, Role};

/// How words got into an own-words field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Typed,
    Dictated,
}

impl InputMode {
    fn key(self) -> &'static str {
        match self {
            InputMode::Typed => "typed",
            InputMode::Dictated => "dictated",
        }
    }
}

/// What the document holds around an own-words field's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnWords {
    /// Some of the text was typed.
    pub typed: bool,
    /// Some of the text was dictated (speech recognition on the device).
    pub dictated: bool,
    /// The staff's remark beside the person's words.
    pub remark: String,
}

impl OwnWords {
    /// "getippt", "diktiert", "getippt und diktiert" (`None` before any input).
    pub fn input_label(&self) -> Option<&'static str> {
        match (self.typed, self.dictated) {
            (true, true) => Some("getippt und diktiert"),
            (true, false) => Some("getippt"),
            (false, true) => Some("diktiert"),
            (false, false) => None,
        }
    }
}

const REMARK: &str = "remark";

impl Report {
    /// The remark and the input record of an own-words field.
    pub fn own_words(&self, field: &str) -> Result<OwnWords> {
        self.own_words_field(field)?;
        let Some(obj) = self.own_words_obj(field) else {
            return Ok(OwnWords::default());
        };
        let flag = |k: &str| self.read_scalar(&obj, k).is_some_and(|v| v == "true");
        Ok(OwnWords {
            typed: flag(InputMode::Typed.key()),
            dictated: flag(InputMode::Dictated.key()),
            remark: self
                .child(&obj, REMARK, ObjType::Text)
                .and_then(|t| self.doc.text(&t).ok())
                .unwrap_or_default(),
        })
    }

    /// Dictated words: like [`Report::set_text`], recorded as dictated.
    pub fn set_text_dictated(&mut self, role: Role, field: &str, value: &str) -> Result<()> {
        self.own_words_field(field)?;
        self.begin_edit(role, field)?;
        self.note_input(field, InputMode::Dictated);
        let obj = self.text_object(field)?;
        self.replace_text(&obj, value)
    }

    /// The remark beside the person's words, written by the field's other editors.
    pub fn set_own_words_remark(&mut self, role: Role, field: &str, text: &str) -> Result<()> {
        let def = self.own_words_field(field)?;
        if role == Role::Beneficiary || !def.editors.contains(&role) {
            return Err(ModelError::NotPermitted {
                field: format!("Anmerkung zu „{}“", def.label),
                role,
            });
        }
        self.act_as(role)?;
        let remark = match self
            .own_words_obj(field)
            .and_then(|o| self.child(&o, REMARK, ObjType::Text))
        {
            Some(text) => text,
            None => self.write(|doc| {
                let obj = ensure_field_map(doc, field)?;
                Ok(doc.put_object(&obj, REMARK, ObjType::Text)?)
            })?,
        };
        self.replace_text(&remark, text)
    }

    /// The own-words field whose way of input ("getippt", "diktiert") a write recorded since
    /// the last call: once per field and way, so the view showing it need not follow every
    /// keystroke.
    pub fn take_recorded_input(&mut self) -> Option<String> {
        self.recorded_input.take()
    }

    /// Records `mode` for `field` with the next write, if it is an own-words field and the
    /// mode is not recorded yet (one flag per field and mode, set once: typing costs nothing
    /// after the first keystroke).
    pub(crate) fn note_input(&mut self, field: &str, mode: InputMode) {
        let own = self.template.field(field).is_some_and(|f| f.own_words);
        if !own {
            return;
        }
        let recorded = self
            .own_words_obj(field)
            .and_then(|o| self.read_scalar(&o, mode.key()))
            .is_some();
        if !recorded {
            self.unrecorded_input = Some((field.to_string(), mode));
        }
    }

    /// Inside a write: the flag [`Report::note_input`] left.
    pub(crate) fn record_input(&mut self, field: &str, mode: InputMode) -> Result<()> {
        let obj = ensure_field_map(&mut self.doc, field)?;
        self.doc.put(&obj, mode.key(), true)?;
        Ok(())
    }

    fn own_words_field(&self, field: &str) -> Result<crate::Field> {
        let def = self.field_def(field)?;
        if !def.own_words {
            return Err(ModelError::UnknownField(format!(
                "{field} (keine eigenen Worte)"
            )));
        }
        Ok(def.clone())
    }

    pub(crate) fn own_words_obj(&self, field: &str) -> Option<ObjId> {
        let all = self.child(&ROOT, key::OWN_WORDS, ObjType::Map)?;
        self.child(&all, field, ObjType::Map)
    }
}

/// `own_words.<field>`, made when missing (reports from before own words).
fn ensure_field_map(doc: &mut automerge::AutoCommit, field: &str) -> Result<ObjId> {
    let all = match doc.get(ROOT, key::OWN_WORDS)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(ROOT, key::OWN_WORDS, ObjType::Map)?,
    };
    Ok(match doc.get(&all, field)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(&all, field, ObjType::Map)?,
    })
}

/// The maps a new report starts with, one per own-words field of the template.
pub(crate) fn lay_out(doc: &mut automerge::AutoCommit, template: &crate::Template) -> Result<()> {
    let own: Vec<&str> = template
        .fields()
        .filter(|f| f.own_words)
        .map(|f| f.id.as_str())
        .collect();
    if own.is_empty() {
        return Ok(());
    }
    let all = doc.put_object(ROOT, key::OWN_WORDS, ObjType::Map)?;
    for field in own {
        let obj = doc.put_object(&all, field, ObjType::Map)?;
        doc.put_object(&obj, REMARK, ObjType::Text)?;
    }
    Ok(())
}
