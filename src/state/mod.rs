//! App state, kept apart from the views: what is open, what is being saved or deleted, and
//! the few things the app takes from the browser.

pub mod app_context;
pub mod case_list;
pub mod conversation;
pub mod deleted_reports;
pub mod deletion_check;
pub mod device_keys;
pub mod device_lock;
pub mod doorkeeper;
pub mod editor;
pub mod impact;
pub mod joining;
pub mod kept_reports;
pub mod pending_deletes;
pub mod platform;
pub mod read_aloud;
pub mod report_files;
pub mod role;
pub mod session;
pub mod summary;
pub mod template_draft;
pub mod template_library;
#[cfg(all(test, target_arch = "wasm32"))]
pub mod test_support;
