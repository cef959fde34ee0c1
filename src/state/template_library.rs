//! The templates this device offers (shipped and imported), as app state: loaded from
//! storage once, changed by importing a file, saving from the editor, or removing.
//!
//! The rules (same id and version: already there or refused; a new version is added; new
//! reports get the newest) are `dreieck_model::Library`'s; this module adds storage and the
//! German messages for what storage can do wrong.

use dreieck::storage::{ReportStore, StorageError};
use dreieck_model::{builtin_templates, Admission, Library, Template};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What taking a template in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// Stored now.
    New { name: String, version: String },
    /// Exactly this template was already there; nothing changed.
    AlreadyThere { name: String, version: String },
}

impl Added {
    /// What happened, in the words of the catalogue `t`.
    pub fn message(&self, t: &'static dreieck_texts::Texts) -> String {
        let (text, name, version) = match self {
            Added::New { name, version } => (t.template_added, name, version),
            Added::AlreadyThere { name, version } => (t.template_there, name, version),
        };
        dreieck_texts::fill_with(text, &[("name", name), ("version", version)])
    }
}

/// The shipped and imported templates. `Copy`: a handle into Leptos' arena.
#[derive(Clone, Copy)]
pub struct TemplateLibrary {
    pub library: RwSignal<Library>,
    /// Why the imported templates could not be read, if they could not (the shipped ones are
    /// still offered).
    pub load_error: RwSignal<Option<String>>,
    /// The imported templates have been read (or failed to be): until then a link to an
    /// imported template's editor says "wird geladen", not "gibt es nicht".
    pub loaded: RwSignal<bool>,
}

impl TemplateLibrary {
    /// Starts with the shipped templates; [`TemplateLibrary::reload`] adds the imported ones.
    pub fn new() -> TemplateLibrary {
        TemplateLibrary {
            library: RwSignal::new(Library::new(builtin_templates(), Vec::new())),
            load_error: RwSignal::new(None),
            loaded: RwSignal::new(false),
        }
    }

    /// The Leichte-Sprache name of the form a list row names in standard German (a row keeps
    /// only the name; tracked).
    pub fn plain_name_of(self, name: &str) -> Option<String> {
        self.library.with(|l| {
            l.all()
                .into_iter()
                .find(|t| t.name == name && !t.plain_name.trim().is_empty())
                .map(|t| t.plain_name.clone())
        })
    }

    /// Reads the imported templates from storage. One that no longer parses (stored by a
    /// newer app version, or damaged) is left out and named in the console; the others stay.
    pub fn reload(self, store: ReportStore) {
        spawn_local(async move {
            match load(&store).await {
                Ok(library) => {
                    let _ = self.library.try_set(library);
                    let _ = self.load_error.try_set(None);
                }
                Err(e) => {
                    let _ = self.load_error.try_set(Some(e));
                }
            }
            let _ = self.loaded.try_set(true);
        });
    }

    /// Takes in a template file's bytes: checked ([`Template::from_file`]), then admitted by
    /// the library's rules, then stored. Nothing is written unless all of that succeeds.
    pub async fn import(self, store: &ReportStore, bytes: &[u8]) -> Result<Added, String> {
        let template = Template::from_file(bytes).map_err(|e| e.to_string())?;
        // The text as accepted: a download of an imported template gives the same form back.
        let json = template.to_json_pretty();
        self.add(store, template, json).await
    }

    /// Stores a template made in the editor (checked again here: it is the last gate).
    pub async fn save_edited(
        self,
        store: &ReportStore,
        template: Template,
    ) -> Result<Added, String> {
        template.verify().map_err(|e| e.to_string())?;
        let json = template.to_json_pretty();
        self.add(store, template, json).await
    }

    async fn add(
        self,
        store: &ReportStore,
        template: Template,
        json: String,
    ) -> Result<Added, String> {
        let admission = self
            .library
            .with_untracked(|l| l.admit(&template))
            .map_err(|e| e.to_string())?;
        let (name, version) = (template.name.clone(), template.version.clone());
        if admission == Admission::AlreadyThere {
            return Ok(Added::AlreadyThere { name, version });
        }
        if let Err(e) = store
            .add_template(&template.id, &template.version, &json)
            .await
        {
            // Another tab may have stored the same template meanwhile: look again.
            if let Ok(fresh) = load(store).await {
                let again = fresh.admit(&template);
                let _ = self.library.try_set(fresh);
                if again == Ok(Admission::AlreadyThere) {
                    return Ok(Added::AlreadyThere { name, version });
                }
            }
            return Err(storage_message(&e));
        }
        let _ = self.library.try_update(|l| l.add(template));
        Ok(Added::New { name, version })
    }

    /// Removes an imported template from the device. Reports made with it keep it (each
    /// embeds its template), so they open and render as before.
    pub async fn remove(self, store: &ReportStore, id: &str, version: &str) -> Result<(), String> {
        self.library
            .with_untracked(|l| l.removable(id, version))
            .map_err(|e| e.to_string())?;
        store
            .delete_template(id, version)
            .await
            .map_err(|e| storage_message(&e))?;
        let _ = self.library.try_update(|l| l.remove(id, version));
        Ok(())
    }
}

/// Offers a template as a file (`<id>-<version>.json`, indented) — to keep, to adapt in a
/// text editor, or to import on another device. Returns the file name.
pub fn download(template: &Template) -> Result<String, String> {
    let name = format!("{}-{}.json", template.id, template.version);
    crate::state::platform::download_file(
        template.to_json_pretty().as_bytes(),
        &name,
        "application/json",
    )?;
    Ok(name)
}

impl Default for TemplateLibrary {
    fn default() -> Self {
        TemplateLibrary::new()
    }
}

async fn load(store: &ReportStore) -> Result<Library, String> {
    let texts = store.templates().await.map_err(|e| e.to_string())?;
    let imported = texts
        .iter()
        .filter_map(|json| match Template::from_json(json) {
            Ok(t) => Some(t),
            Err(e) => {
                leptos::logging::warn!("Dreieck: eine gespeicherte Vorlage ist nicht lesbar: {e}");
                None
            }
        })
        .collect();
    Ok(Library::new(builtin_templates(), imported))
}

/// Storage's words fit a report's edit ("die letzte Änderung … wird nachgeholt"), not a
/// template: say what happened to the template.
fn storage_message(e: &StorageError) -> String {
    match e {
        StorageError::QuotaFull => "Der Speicher dieses Geräts ist voll, die Vorlage wurde nicht gespeichert. \
             Auf dem Gerät hat sich nichts geändert. Bitte Platz schaffen (zum Beispiel erledigte Berichte \
             exportieren und vom Gerät löschen) und es dann noch einmal versuchen."
            .to_string(),
        StorageError::WriteFailed(detail) => format!(
            "Die Vorlage konnte nicht gespeichert werden. Auf dem Gerät hat sich nichts geändert. ({detail})"
        ),
        other => other.to_string(),
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::state::test_support::store;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A template with an id no other test uses.
    fn own_template(id: &str, version: &str) -> Template {
        let mut t = builtin_templates().remove(3);
        t.id = id.to_string();
        t.version = version.to_string();
        t
    }

    fn unique(name: &str) -> String {
        format!("{name}-{:x}", (js_sys::Math::random() * 1e12) as u64)
    }

    #[wasm_bindgen_test]
    async fn import_store_reload_and_remove() {
        let s = store().await;
        let lib = TemplateLibrary::new();
        let id = unique("eigen");
        let t = own_template(&id, "1");
        let bytes = t.to_json_pretty().into_bytes();

        let added = lib.import(&s, &bytes).await.unwrap();
        assert!(matches!(added, Added::New { .. }), "{added:?}");
        assert!(matches!(
            lib.import(&s, &bytes).await,
            Ok(Added::AlreadyThere { .. })
        ));
        let mut changed = t.clone();
        changed.name = "Anders".into();
        let refused = lib
            .import(&s, changed.to_json().as_bytes())
            .await
            .unwrap_err();
        assert!(refused.contains("neue Version"), "{refused}");

        // A fresh library (another page load) finds it in storage.
        let fresh = TemplateLibrary::new();
        let library = load(&s).await.unwrap();
        fresh.library.set(library);
        assert_eq!(
            fresh.library.with(|l| l.newest(&id).cloned()),
            Some(t.clone())
        );

        lib.remove(&s, &id, "1").await.unwrap();
        assert!(load(&s).await.unwrap().newest(&id).is_none());
        assert!(lib.library.with(|l| l.newest(&id).is_none()));
    }

    #[wasm_bindgen_test]
    async fn a_shipped_template_cannot_be_removed() {
        let s = store().await;
        let lib = TemplateLibrary::new();
        let kvjs = builtin_templates().remove(0);
        let e = lib.remove(&s, &kvjs.id, &kvjs.version).await.unwrap_err();
        assert!(e.contains("ausgeliefert"), "{e}");
    }

    #[wasm_bindgen_test]
    fn quota_full_says_the_template_was_not_saved() {
        let m = storage_message(&StorageError::QuotaFull);
        assert!(m.contains("voll") && m.contains("nicht gespeichert"), "{m}");
    }
}
