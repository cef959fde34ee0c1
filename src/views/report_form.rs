//! The report itself: save state, the template's sections, and the "Prüfen" panel.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::Editor;
use crate::views::check_panel::CheckPanel;
use crate::views::save_status::SaveStatusView;
use crate::views::section_view::SectionView;

#[component]
pub fn ReportForm(editor: Editor) -> impl IntoView {
    provide_context(editor);
    let app = use_app();
    let sections = editor
        .read(|r| r.template().sections.clone())
        .unwrap_or_default();
    view! {
        <div class="report-form">
            // Only the save state stays in view while scrolling; it is what must never be missed.
            <div class="editor-bar">
                <SaveStatusView />
            </div>
            <p class="role-hint">
                "Sie schreiben als: "
                <strong>{move || app.role.get().label()}</strong>
                ". Felder, die diese Rolle nicht ändern darf, sind nur zum Lesen."
            </p>
            {move || {
                editor
                    .notice()
                    .map(|n| view! { <p class="message error" role="alert">{n}</p> })
            }}
            {sections
                .into_iter()
                .map(|section| view! { <SectionView section=section /> })
                .collect_view()}
            <CheckPanel />
        </div>
    }
}
