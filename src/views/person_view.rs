//! The person supported's own view of a report ("Ihr Bericht"): their words first, their goals
//! with their own rating, what others wrote about them, and where they sign — and nothing
//! only staff use (export, sharing, checks, the change history, deleting).
//!
//! What is shown comes from `Report::person_page`, so every template works the same way. The
//! fields are the editor's own (`SectionView`, `FieldView`), so typing, dictation, recorded
//! words and signing behave here exactly as in the whole form, and sync alike.

use dreieck_model::{PersonPage, Role, Section};
use dreieck_texts::{fill_with, plain::PLAIN, Texts};
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::editor::Editor;
use crate::state::platform::root_class;
use crate::views::editor_notice::EditorNotice;
use crate::views::field_view::{spoken_field, FieldView, OwnView};
use crate::views::moved_away::MovedAway;
use crate::views::person_goals::{all_goal_sentences, PersonGoals};
use crate::views::read_aloud_button::ReadAloudButton;
use crate::views::refused_changes::RefusedChanges;
use crate::views::report_form::subject;
use crate::views::save_status::SaveStatusView;
use crate::views::section_view::SectionView;
use crate::views::sticky_bar::keep_focus_clear_of;
use crate::views::sync_bar::presence_handlers;
use crate::views::sync_status::SyncStatusView;
use crate::views::undo_buttons::UndoButtons;
use crate::views::written_by_others::{written_sentences, WrittenByOthers};

const SIGNATURE_HEADING: &str = "meine-unterschrift";

#[component]
pub fn PersonView(editor: Editor) -> impl IntoView {
    provide_context(editor);
    provide_context(OwnView);
    let app = use_app();
    // The header's "Meine Rolle" is a staff control: not in the person's view.
    root_class("person-mode", true);
    on_cleanup(|| root_class("person-mode", false));
    // Every change may fill in what others wrote; the parts below compare equal and do not
    // redraw while nothing about them changed.
    let page = Memo::new(move |_| {
        editor.track_all();
        editor.read(|r| r.person_page()).unwrap_or_default()
    });
    let own = Memo::new(move |_| page.with(|p| p.own.clone()));
    let has_goals = Memo::new(move |_| page.with(|p| p.goals));
    let written = Memo::new(move |_| page.with(|p| p.by_others.clone()));
    let signatures = Memo::new(move |_| page.with(|p| p.signatures.clone()));

    // The person's sections, each with only the fields the person writes.
    let own_sections = move || {
        let parts = own.get();
        editor
            .template(|t| {
                parts
                    .iter()
                    .filter_map(|part| {
                        let section = t.sections.iter().find(|s| s.id == part.section)?;
                        Some(Section {
                            fields: section
                                .fields
                                .iter()
                                .filter(|f| part.fields.contains(&f.id))
                                .cloned()
                                .collect(),
                            ..section.clone()
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|section| view! { <SectionView section=section /> })
            .collect_view()
    };
    let signature_fields = move || {
        let ids = signatures.get();
        let fields = editor
            .template(|t| {
                ids.iter()
                    .filter_map(|id| t.field(id).cloned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        (!fields.is_empty()).then(|| {
            view! {
                <section class="form-section person-signature" aria-labelledby=SIGNATURE_HEADING>
                    <h2 id=SIGNATURE_HEADING>{move || app.texts().person_sign}</h2>
                    {fields.into_iter().map(|field| view! { <FieldView field=field /> }).collect_view()}
                </section>
            }
        })
    };
    let everything = Callback::new(move |()| {
        let page = page.get_untracked();
        editor
            .read(|r| all_sentences(r, &page, &editor.title()))
            .unwrap_or_default()
    });
    let (focus_in, focus_out) = presence_handlers(editor);
    let bar = NodeRef::<leptos::html::Div>::new();
    keep_focus_clear_of(bar);
    let whole = Route::Report(editor.id()).href();
    let not_the_person = move || app.role.get() != Role::Beneficiary;
    view! {
        <div class="report-form person-view" on:focusin=focus_in on:focusout=focus_out>
            <div class="editor-bar" node_ref=bar>
                <SaveStatusView />
                <UndoButtons />
                <a class="button whole-report" href=whole>
                    {move || app.texts().person_whole_report}
                </a>
                {move || editor.link().map(|link| view! { <SyncStatusView link=link /> })}
            </div>
            <MovedAway />
            <RefusedChanges />
            <EditorNotice />
            <div class="person-intro">
                <p>
                    {move || intro(&subject(editor), app.texts())}
                </p>
                <ReadAloudButton block="mein-bericht" what=PLAIN.person_read_all sentences=everything always=true />
            </div>
            <Show when=not_the_person>
                <p class="role-hint">
                    {move || app.texts().person_not_the_person}
                </p>
            </Show>
            {own_sections}
            <Show when=move || has_goals.get()>
                <PersonGoals />
            </Show>
            <WrittenByOthers written=written />
            {signature_fields}
        </div>
    }
}

/// The first line: whose report this is and what comes (the person is "Sie" in Leichte
/// Sprache, and named otherwise).
fn intro(subject: &str, t: &Texts) -> String {
    fill_with(
        t.person_subject,
        &[("subject", subject), ("intro", t.person_intro)],
    )
}

/// What "Vorlesen" at the top reads: the whole page in Leichte Sprache, in its order.
fn all_sentences(report: &dreieck_model::Report, page: &PersonPage, subject: &str) -> Vec<String> {
    let template = report.template();
    let mut out: Vec<String> = dreieck_model::sentences(&intro(subject, &PLAIN))
        .into_iter()
        .map(String::from)
        .collect();
    for part in &page.own {
        if let Some(section) = template.sections.iter().find(|s| s.id == part.section) {
            out.extend(
                dreieck_model::sentences(&section.plain_title)
                    .into_iter()
                    .map(String::from),
            );
            for field in section
                .fields
                .iter()
                .filter(|f| part.fields.contains(&f.id))
            {
                out.extend(spoken_field(field, report));
            }
        }
    }
    if page.goals {
        out.extend(all_goal_sentences(report));
    }
    out.extend(written_sentences(&page.by_others));
    for id in &page.signatures {
        if let Some(field) = template.field(id) {
            out.extend(spoken_field(field, report));
        }
    }
    out
}
