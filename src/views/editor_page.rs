//! The editor route: opens the report, then shows the form (or why it cannot be opened).

use std::rc::Rc;

use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::editor::Editor;
use crate::state::session::{OpenError, Session};
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::back_to_list::BackToList;
use crate::views::conversation_form::ConversationForm;
use crate::views::person_view::PersonView;
use crate::views::print_report::PrintReport;
use crate::views::report_deleted::ReportDeleted;
use crate::views::report_form::ReportForm;

#[derive(Clone, Debug, PartialEq)]
enum Load {
    Opening,
    Ready,
    NotFound,
    Failed(String),
}

/// How the open report is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The whole form to fill in.
    Edit,
    /// The agenda one step at a time (see `ConversationForm`).
    Conversation,
    /// The paper form (see `PrintReport`).
    Print,
    /// The person supported's own view (see `PersonView`).
    Own,
}

#[component]
pub fn EditorPage(id: String, mode: Mode) -> impl IntoView {
    let state = RwSignal::new(Load::Opening);
    let editor = StoredValue::new_local(None::<Editor>);
    let app = use_app();
    // The form's name, and its name in Leichte Sprache.
    let title = RwSignal::new((
        String::from(STANDARD.open_opening),
        String::from(PLAIN.open_opening),
    ));

    // Opening a report that waits in the undo toast means the person wants it: keep it.
    app.deletes.undo(&id);

    let opened = StoredValue::new_local(None::<Session>);
    if let Some(store) = app.store() {
        let id = id.clone();
        spawn_local(async move {
            match Session::open(store, &id).await {
                Ok(session) => {
                    let name = session
                        .read(|r| (r.template().name.clone(), r.template().plain_name.clone()));
                    if opened.try_set_value(Some(session.clone())).is_some() {
                        // The page was left while opening: hand the session back.
                        session.release();
                        return;
                    }
                    let role = app.role;
                    session.connect_if_shared(Rc::new(move || role.get_untracked()));
                    editor.set_value(Some(Editor::new(session)));
                    title.set(name);
                    state.set(Load::Ready);
                }
                Err(e) => {
                    let _ = title.try_set((
                        STANDARD.open_failed_title.to_string(),
                        PLAIN.open_failed_title.to_string(),
                    ));
                    let _ = state.try_set(match e {
                        OpenError::NotFound => Load::NotFound,
                        OpenError::Failed(m) => Load::Failed(m),
                    });
                }
            }
        });
    }
    on_cleanup(move || {
        if let Some(Some(session)) = opened.try_get_value() {
            session.release();
        }
    });

    view! {
        <div class="page editor-page">
            <BackToList />
            <h1 id=PAGE_TITLE_ID tabindex="-1">{move || title.with(|(name, plain)| app.words(name, plain).to_string())}</h1>
            {move || match state.get() {
                Load::Opening => view! { <p class="message" role="status">{move || app.texts().open_loading}</p> }.into_any(),
                Load::NotFound => {
                    view! {
                        <p class="message" role="alert">
                            {move || app.texts().open_not_found}
                        </p>
                    }
                        .into_any()
                }
                Load::Failed(e) => {
                    view! {
                        <p class="message error" role="alert">
                            {fill(app.texts().open_failed, &e)}
                        </p>
                        <p class="message">{move || app.texts().open_raw_data}</p>
                    }
                        .into_any()
                }
                Load::Ready => match editor.get_value() {
                    Some(ed) => {
                        // Deleted for everyone while open here: the notice replaces the report.
                        let deleted = Memo::new(move |_| ed.deleted());
                        (move || match deleted.get() {
                            Some(entry) => view! { <ReportDeleted entry=entry /> }.into_any(),
                            None => match mode {
                                Mode::Edit => view! { <ReportForm editor=ed /> }.into_any(),
                                Mode::Conversation => view! { <ConversationForm editor=ed /> }.into_any(),
                                Mode::Print => view! { <PrintReport editor=ed /> }.into_any(),
                                Mode::Own => view! { <PersonView editor=ed /> }.into_any(),
                            },
                        })
                            .into_any()
                    }
                    None => ().into_any(),
                },
            }}
        </div>
    }
}
