//! The app's own words, one catalogue per language variant: [`standard::STANDARD`] and
//! [`plain::PLAIN`] (Leichte Sprache).
//!
//! Plain texts are written by hand, not generated, and a Leichte-Sprache checker group reads
//! them; so they live together in one file per variant, where a reviewer finds every text in
//! one place and next to nothing else, not scattered through the views. Both catalogues are
//! values of one struct, [`Texts`]: a text added to one and forgotten in the other does not
//! compile. `cargo xtask texts` prints both side by side as a table for the review, and
//! [`rules::problems`] — the rules every plain text is tested against, the templates' too —
//! finds what a machine can find (passive voice, long sentences, abbreviations, slashes,
//! blaming words) before people read the rest. The crate has no dependencies: the browser app,
//! the model's tests and xtask all use it.
//!
//! The views read the catalogue of the language shown (`AppContext::texts` in the app); texts
//! that hold data (a name, a count) are written as functions beside the view until they move
//! here too (see `docs/leichte-sprache.md` for which views are done).

pub mod plain;
pub mod rules;
pub mod standard;

macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident,)*) => {
        /// Every text of the app that has been moved to the catalogues, by key.
        #[derive(Debug)]
        pub struct Texts {
            $($(#[$doc])* pub $key: &'static str,)*
        }

        impl Texts {
            /// Every text with its key, in the order of the struct (for the review table and
            /// the tests).
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key)),*]
            }
        }
    };
}

catalogue! {
    /// The first link on every page, for keyboard users.
    skip_to_content,
    /// Main navigation.
    nav_reports,
    nav_templates,
    nav_label,
    /// "Sperren" in the header.
    lock_now,
    /// The header's role choice and the four roles in it.
    my_role,
    role_beneficiary,
    role_provider,
    role_caseworker,
    role_guardian,
    /// The person's own view.
    person_intro,
    person_whole_report,
    person_read_all,
    person_not_the_person,
    person_goals,
    person_no_goals,
    person_one_goal,
    person_goals_count,
    person_goal_without_text,
    person_measures,
    person_no_own_rating,
    person_provider_says,
    person_ratings_differ,
    person_written_by_others,
    person_nothing_written,
    person_written_by,
    person_sign,
    /// The editor's link to the person's own view.
    editor_person_view,    /// The way back to the case list.
    back_label,
    back_to_list,
    /// Whether what was typed is stored on the device.
    save_saved,
    save_saving,
    save_failed,
    save_retry,
    /// Undo and redo in the editor bar.
    undo,
    redo,
    /// Where the device stands with the others (the time it has stood so).
    sync_synced,
    sync_connecting,
    sync_no_network,
    sync_unreachable,
    /// The way changes go.
    path_direct,
    path_server,
    path_none,
    /// Changes not yet sent, since when.
    sync_waiting_direct,
    sync_waiting,
    /// The signature pad.
    sign_pad,
    sign_button,
    sign_checking,
}

/// `text` with its `{}` replaced by `value` (for the few texts that hold a number or a name).
pub fn fill(text: &str, value: &str) -> String {
    text.replacen("{}", value, 1)
}
