//! What every view may need, provided once as context by the app.

use dreieck::storage::{settings, ReportStore};
use dreieck_model::Role;
use dreieck_texts::{plain::PLAIN, standard::STANDARD, Texts};
use leptos::prelude::*;

use crate::state::pending_deletes::PendingDeletes;
use crate::state::read_aloud::ReadAloud;
use crate::state::role;
use crate::state::template_library::TemplateLibrary;

/// The setting that remembers Leichte Sprache on this device.
const PLAIN_LANGUAGE: &str = "plain_language";

/// App-wide state. `Copy`: every field is a handle into Leptos' arena.
#[derive(Clone, Copy)]
pub struct AppContext {
    store: StoredValue<ReportStore, LocalStorage>,
    /// Who is using this device now ("Meine Rolle"); fields the role may not edit are read-only.
    pub role: RwSignal<Role>,
    pub deletes: PendingDeletes,
    /// Leichte Sprache: labels, help and codes in plain language, large type, pictograms and
    /// read-aloud. A setting of the device, like the role: a tablet used with the person
    /// supported keeps it.
    pub plain: RwSignal<bool>,
    pub reader: ReadAloud,
    /// The forms this device offers for new reports: shipped and imported templates.
    pub templates: TemplateLibrary,
}

impl AppContext {
    pub fn new(store: ReportStore) -> AppContext {
        let templates = TemplateLibrary::new();
        templates.reload(store.clone());
        AppContext {
            templates,
            deletes: PendingDeletes::new(store.clone()),
            store: StoredValue::new_local(store),
            role: RwSignal::new(role::load()),
            plain: RwSignal::new(settings::get(PLAIN_LANGUAGE).as_deref() == Some("1")),
            reader: ReadAloud::new(),
        }
    }

    /// The report store (cheap to clone).
    pub fn store(self) -> Option<ReportStore> {
        self.store.try_get_value()
    }

    /// Changes the role and remembers it on this device.
    pub fn set_role(self, role: Role) {
        role::save(role);
        self.role.set(role);
    }

    /// Switches Leichte Sprache on or off and remembers it on this device (not being able to
    /// remember it only means the next visit starts in standard language).
    pub fn set_plain(self, plain: bool) {
        let _ = settings::set(PLAIN_LANGUAGE, if plain { "1" } else { "0" });
        if !plain {
            self.reader.stop();
        }
        self.plain.set(plain);
    }

    /// The catalogue of the language shown (tracked): see `crates/texts`.
    pub fn texts(self) -> &'static Texts {
        if self.plain.get() {
            &PLAIN
        } else {
            &STANDARD
        }
    }

    /// [`AppContext::texts`] for event handlers (not tracked).
    pub fn texts_now(self) -> &'static Texts {
        if self.plain.get_untracked() {
            &PLAIN
        } else {
            &STANDARD
        }
    }

    /// A text a library keeps in standard German (what the relay said, why storing failed),
    /// in the language shown (tracked): its catalogue's plain version in Leichte Sprache.
    pub fn shown(self, standard: &str) -> String {
        if self.plain.get() {
            dreieck_texts::plain_of(standard).to_string()
        } else {
            standard.to_string()
        }
    }

    /// `plain` in Leichte Sprache, `standard` otherwise (tracked).
    pub fn words<'a>(self, standard: &'a str, plain: &'a str) -> &'a str {
        if self.plain.get() {
            plain
        } else {
            standard
        }
    }
}

/// The app context. Views are only ever rendered inside [`crate::app::App`], which provides it
/// before rendering anything, so a missing context is a programming error, not a runtime state.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
