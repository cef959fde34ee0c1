//! What every view may need, provided once as context by the app.

use dreieck::storage::ReportStore;
use dreieck_model::Role;
use leptos::prelude::*;

use crate::state::pending_deletes::PendingDeletes;
use crate::state::role;

/// App-wide state. `Copy`: every field is a handle into Leptos' arena.
#[derive(Clone, Copy)]
pub struct AppContext {
    store: StoredValue<ReportStore, LocalStorage>,
    /// Who is using this device now ("Meine Rolle"); fields the role may not edit are read-only.
    pub role: RwSignal<Role>,
    pub deletes: PendingDeletes,
}

impl AppContext {
    pub fn new(store: ReportStore) -> AppContext {
        AppContext {
            deletes: PendingDeletes::new(store.clone()),
            store: StoredValue::new_local(store),
            role: RwSignal::new(role::load()),
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
}

/// The app context. Views are only ever rendered inside [`crate::app::App`], which provides it
/// before rendering anything, so a missing context is a programming error, not a runtime state.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
