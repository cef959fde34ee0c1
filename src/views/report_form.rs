//! The report itself: save state, the template's sections, the "Prüfen" panel, where the
//! report stands, and the gaps in help it notes.

use dreieck_texts::around;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::Editor;
use crate::views::case_panel::CasePanel;
use crate::views::check_panel::CheckPanel;
use crate::views::delete_for_everyone::DeleteForEveryone;
use crate::views::editor_notice::EditorNotice;
use crate::views::export_dialog::ExportButton;
use crate::views::follow_up::FollowUp;
use crate::views::missing_help_panel::MissingHelpPanel;
use crate::views::moved_away::MovedAway;
use crate::views::refused_changes::RefusedChanges;
use crate::views::review_panel::ReviewPanel;
use crate::views::role_select::role_name;
use crate::views::save_status::SaveStatusView;
use crate::views::section_view::SectionView;
use crate::views::sticky_bar::keep_focus_clear_of;
use crate::views::sync_bar::{presence_handlers, SyncBar};
use crate::views::undo_buttons::UndoButtons;

/// The page title outside a report (as in `index.html`).
const APP_TITLE: &str = "Dreieck – Berichte gemeinsam schreiben";

/// Whom the report is about, or that the name is still missing (tracked).
pub fn subject(editor: Editor) -> String {
    let name = editor.title();
    if name.is_empty() {
        use_app().texts().editor_no_name.to_string()
    } else {
        name
    }
}

#[component]
pub fn ReportForm(editor: Editor) -> impl IntoView {
    provide_context(editor);
    let app = use_app();
    let (sections, form_name) = editor
        .template(|t| (t.sections.clone(), t.name.clone()))
        .unwrap_or_default();
    let subject = move || subject(editor);
    // The tab's title names the person, so several open reports can be told apart.
    Effect::new(move |_| {
        document().set_title(&format!("{} – {form_name} – Dreieck", subject()));
    });
    on_cleanup(|| document().set_title(APP_TITLE));
    // Presence: which field this device is in (focus leaving the form clears it).
    let (focus_in, focus_out) = presence_handlers(editor);
    let bar = NodeRef::<leptos::html::Div>::new();
    keep_focus_clear_of(bar);
    view! {
        <div class="report-form" on:focusin=focus_in on:focusout=focus_out>
            <p class="report-subject">
                {move || around(app.texts().editor_subject).0}
                <strong>{subject}</strong>
            </p>
            // Only the save state stays in view while scrolling; it is what must never be missed.
            <div class="editor-bar" node_ref=bar>
                <SaveStatusView />
                <UndoButtons />
                <div class="editor-actions">
                    <ExportButton />
                    <SyncBar />
                </div>
            </div>
            <MovedAway />
            <RefusedChanges />
            <p class="role-hint">
                {move || around(app.texts().editor_writing_as).0}
                <strong>{move || role_name(app.texts(), app.role.get())}</strong>
                {move || around(app.texts().editor_writing_as).1}
            </p>
            <p>
                <a class="button" id="gespraech-starten" href=crate::route::Route::Conversation(editor.id()).href()>
                    {move || app.texts().editor_conversation}
                </a>
                " "
                // The paper form keeps the form's official words: no way there in Leichte Sprache.
                <a
                    class="button"
                    id="druckansicht"
                    href=crate::route::Route::Print(editor.id()).href()
                    hidden=move || app.plain.get()
                >
                    {move || app.texts().editor_print}
                </a>
                " "
                // The person's own view: theirs first, nothing only staff use.
                <a class="button" id="ansicht-person" href=crate::route::Route::Own(editor.id()).href()>
                    {move || app.texts().editor_person_view}
                </a>
            </p>
            {move || {
                app.reader
                    .failure()
                    .map(|m| view! { <p class="message error" role="alert">{m}</p> })
            }}
            <EditorNotice />
            {sections
                .into_iter()
                .map(|section| view! { <SectionView section=section /> })
                .collect_view()}
            <CheckPanel />
            <CasePanel />
            <ReviewPanel />
            <MissingHelpPanel />
            <FollowUp />
            <DeleteForEveryone />
        </div>
    }
}
