//! "Berichte": every report on this device, earliest deadline first, with filters by person,
//! status and deadline, and create, import, delete.

use dreieck::storage::Summary;
use dreieck_model::Date;
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::case_list::{arrange, choices, CaseList, Entry, Filter, ListState, Order};
use crate::state::kept_reports;
use crate::state::platform::{focus_element, today};
use crate::state::session::unsaved_reports;
use crate::state::summary::display_title;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::broken_row::BrokenRow;
use crate::views::case_filters::CaseFilters;
use crate::views::case_row::CaseRow;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::deleted_notices::DeletedNotices;
use crate::views::import_button::ImportButton;
use crate::views::kept_list::KeptList;
use crate::views::list_state_message::list_state_message;
use crate::views::new_report::NewReport;
use crate::views::storage_usage::StorageUsage;
use crate::views::undo_toasts::undo_button_id;

/// The list's "Löschen" deletes only this device's copy: for a shared report the question
/// says so, and where deleting for everyone is.
fn delete_question(id: &str, title: &str, t: &'static Texts) -> String {
    let title = display_title(title);
    if crate::sync::shared::load(id).is_some() {
        fill(t.list_delete_shared, &title)
    } else {
        fill(t.list_delete, &title)
    }
}

/// The message after taking a report off or letting it go; focus moves there.
const KEPT_OUTCOME_ID: &str = "beim-server-meldung";

#[component]
pub fn CaseListPage() -> impl IntoView {
    let app = use_app();
    let list = CaseList::new();
    let filter = RwSignal::new(Filter::default());
    let order = RwSignal::new(Order::Due);
    // The day deadlines are judged against; a device without a date judges none overdue.
    let today = today();
    // The report the delete dialog asks about: (id, title).
    let confirm = RwSignal::new(None::<(String, String)>);
    // Reports kept only at the relay, and the one a dialog asks to take off or let go.
    let kept = RwSignal::new(Vec::<Summary>::new());
    let kept_changed = RwSignal::new(0u32);
    let taking_off = RwSignal::new(None::<Summary>);
    let letting_go = RwSignal::new(None::<Summary>);
    // What became of the last "Vom Gerät nehmen" or "Aus der Liste nehmen": (failed, text).
    let kept_outcome = RwSignal::new(None::<(bool, String)>);

    // Load now, and again after a delete has reached storage.
    Effect::new(move |_| {
        app.deletes.deleted.track();
        kept_changed.track();
        if let Some(store) = app.store() {
            list.reload(store.clone());
            spawn_local(async move {
                match kept_reports::list(&store).await {
                    Ok(k) => {
                        let _ = kept.try_set(k);
                    }
                    Err(e) => {
                        let _ = kept_outcome.try_set(Some((true, e)));
                    }
                }
            });
        }
    });

    // Edits the disk refused stay in this tab's memory; say so, with the way back to them.
    let unsaved = unsaved_reports();

    let visible = move || {
        let entries: Vec<Entry> = list
            .entries
            .get()
            .into_iter()
            .filter(|e| !app.deletes.is_pending(e.id()))
            .collect();
        filter.with(|f| arrange(&entries, f, order.get(), today))
    };
    let missing_help_count = move || {
        list.entries.with(|entries| {
            entries
                .iter()
                .map(|e| match e {
                    Entry::Report(s) => s.missing_help.len(),
                    Entry::Broken { .. } => 0,
                })
                .sum::<usize>()
        })
    };

    let ask_delete =
        Callback::new(move |(id, title): (String, String)| confirm.set(Some((id, title))));
    let confirm_message = Signal::derive(move || {
        confirm
            .get()
            .map(|(id, title)| delete_question(&id, &title, app.texts()))
    });
    let on_confirm = move || {
        if let Some((id, title)) = confirm.get_untracked() {
            confirm.set(None);
            app.deletes.schedule(id.clone(), title);
            request_animation_frame(move || {
                focus_element(&undo_button_id(&id));
            });
        }
    };
    let on_cancel = move || confirm.set(None);

    let ask_take_off = Callback::new(move |summary: Summary| taking_off.set(Some(summary)));
    let take_off_message = Signal::derive(move || {
        taking_off.get().map(|s| {
            let until = s
                .retention_end
                .as_deref()
                .and_then(|d| Date::parse_iso(d).ok())
                .map(|d| format!(" {}", fill(app.texts().list_take_off_until, &d.german())))
                .unwrap_or_default();
            fill_with(
                app.texts().list_take_off,
                &[("title", &display_title(&s.title)), ("until", &until)],
            )
        })
    });
    let on_take_off = move || {
        let Some(summary) = taking_off.get_untracked() else {
            return;
        };
        taking_off.set(None);
        let Some(store) = app.store() else { return };
        let title = display_title(&summary.title);
        let t = app.texts_now();
        spawn_local(async move {
            let outcome = match kept_reports::take_off(&store, summary).await {
                Ok(()) => (false, fill(t.list_taken_off, &title)),
                Err(e) => (
                    true,
                    fill_with(
                        t.list_take_off_failed,
                        &[("title", &title), ("why", &e.to_string())],
                    ),
                ),
            };
            let _ = kept_outcome.try_set(Some(outcome));
            let _ = kept_changed.try_update(|n| *n += 1);
            request_animation_frame(|| {
                focus_element(KEPT_OUTCOME_ID);
            });
        });
    };

    let ask_let_go = Callback::new(move |summary: Summary| letting_go.set(Some(summary)));
    let let_go_message = Signal::derive(move || {
        letting_go
            .get()
            .map(|s| fill(app.texts().list_let_go, &display_title(&s.title)))
    });
    let on_let_go = move || {
        let Some(summary) = letting_go.get_untracked() else {
            return;
        };
        letting_go.set(None);
        let title = display_title(&summary.title);
        let outcome = match kept_reports::let_go(&summary.id) {
            Ok(()) => (false, fill(app.texts_now().list_let_go_done, &title)),
            Err(e) => (true, e),
        };
        kept_outcome.set(Some(outcome));
        kept_changed.update(|n| *n += 1);
        request_animation_frame(|| {
            focus_element(KEPT_OUTCOME_ID);
        });
    };

    view! {
        <div class="page case-list-page">
            <div class="page-head">
                <h1 id=PAGE_TITLE_ID tabindex="-1">{move || app.texts().list_title}</h1>
            </div>
            <DeletedNotices />
            <NewReport />
            <ImportButton on_imported=Callback::new(move |()| {
                if let Some(store) = app.store() {
                    list.reload(store);
                }
            }) />
            {(!unsaved.is_empty())
                .then(|| {
                    view! {
                        <div class="message error" role="alert">
                            <p>
                                {move || app.texts().list_unsaved}
                            </p>
                            <ul>
                                {unsaved
                                    .into_iter()
                                    .map(|(id, title)| {
                                        view! {
                                            <li>
                                                <a href=Route::Report(id).href()>
                                                    {display_title(&title)}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })}
            <CaseFilters
                filter=filter
                order=order
                choices=Signal::derive(move || list.entries.with(|e| choices(e)))
            />
            // Statistics and planning lists of all reports are staff tools (StaffOnlyNotice).
            <p class="missing-help-link" hidden=move || app.plain.get()>
                <a href=Route::MissingHelp.href()>
                    {move || fill(app.texts().list_missing_help, &missing_help_count().to_string())}
                </a>
                <span aria-hidden="true">" · "</span>
                <a href=Route::Impact.href() id="wirkung-link">{move || app.texts().list_impact}</a>
            </p>
            {move || match list.state.get() {
                ListState::Loading | ListState::Failed(_) => {
                    list.state.with(list_state_message).unwrap_or_else(|| ().into_any())
                }
                ListState::Ready => {
                    view! {
                        <Show
                            when=move || !visible().is_empty()
                            fallback=move || {
                                let t = app.texts();
                                let text = if !filter.with(Filter::is_empty) {
                                    t.list_none_filtered
                                } else if kept.with(|k| !k.is_empty()) {
                                    t.list_none_here
                                } else {
                                    t.list_none_yet
                                };
                                view! { <p class="message empty">{text}</p> }
                            }
                        >
                            <ul class="case-list" aria-label=move || app.texts().list_label>
                                <For
                                    each=visible
                                    key=|e| format!("{e:?}")
                                    children=move |entry| match entry {
                                        Entry::Report(summary) => {
                                            view! {
                                                <CaseRow
                                                    summary=summary
                                                    today=today
                                                    on_delete=ask_delete
                                                    on_take_off=ask_take_off
                                                />
                                            }
                                                .into_any()
                                        }
                                        Entry::Broken { id, error } => {
                                            view! { <BrokenRow id=id error=error /> }.into_any()
                                        }
                                    }
                                />
                            </ul>
                        </Show>
                    }
                        .into_any()
                }
            }}
            {move || kept_outcome.get().map(|(failed, text)| {
                view! {
                    <p
                        id=KEPT_OUTCOME_ID
                        tabindex="-1"
                        class=if failed { "message error" } else { "message" }
                        role=if failed { "alert" } else { "status" }
                    >
                        {text}
                    </p>
                }
            })}
            <KeptList kept=kept today=today on_let_go=ask_let_go />
            <StorageUsage />
            // Beside the storage it protects; the header keeps only "Sperren" (once set), so it
            // still fits a tablet's width.
            <p class="device-lock-link">
                <a href=Route::Lock.href()>
                    {move || if dreieck::storage::vault::has_pin() {
                        app.texts().list_lock_settings
                    } else {
                        app.texts().list_lock_offer
                    }}
                </a>
            </p>
            <ConfirmDialog
                message=confirm_message
                confirm_label=Signal::derive(move || app.texts().list_delete_confirm.to_string())
                on_confirm=Callback::new(move |()| on_confirm())
                on_cancel=Callback::new(move |()| on_cancel())
            />
            <ConfirmDialog
                message=take_off_message
                confirm_label=Signal::derive(move || app.texts().list_take_off_confirm.to_string())
                on_confirm=Callback::new(move |()| on_take_off())
                on_cancel=Callback::new(move |()| taking_off.set(None))
                question_id="vom-geraet-frage"
            />
            <ConfirmDialog
                message=let_go_message
                confirm_label=Signal::derive(move || app.texts().list_let_go_confirm.to_string())
                on_confirm=Callback::new(move |()| on_let_go())
                on_cancel=Callback::new(move |()| letting_go.set(None))
                question_id="aus-liste-frage"
            />
        </div>
    }
}
