//! "Vorlagen": the forms on this device — shipped and imported, every version — with import,
//! download, "Anpassen" (the editor) and removal of imported ones.

use dreieck_model::Template;
use dreieck_texts::{fill, fill_with};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::template_library::download;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::template_import::TemplateImport;
use crate::views::template_row::TemplateRow;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let app = use_app();
    let library = app.templates.library;
    // The template the remove dialog asks about: (id, version, name).
    let confirm = RwSignal::new(None::<(String, String, String)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let rows = move || {
        library.with(|l| {
            l.all()
                .into_iter()
                .map(|t| (t.clone(), !l.is_builtin(&t.id, &t.version)))
                .collect::<Vec<_>>()
        })
    };
    let on_download = Callback::new(move |template: Template| {
        let _ = outcome.try_set(Some(
            download(&template).map(|name| fill(app.texts_now().export_done, &name)),
        ));
    });
    let ask_remove = Callback::new(move |which: (String, String, String)| {
        confirm.set(Some(which));
    });
    let confirm_message = Signal::derive(move || {
        confirm.get().map(|(_, version, name)| {
            fill_with(
                app.texts().templates_remove_question,
                &[("name", &name), ("version", &version)],
            )
        })
    });
    let on_confirm = move || {
        let Some((id, version, name)) = confirm.get_untracked() else {
            return;
        };
        confirm.set(None);
        let Some(store) = app.store() else {
            return;
        };
        let t = app.texts_now();
        spawn_local(async move {
            let result = app.templates.remove(&store, &id, &version).await.map(|()| {
                fill_with(
                    t.templates_removed,
                    &[("name", &name), ("version", &version)],
                )
            });
            let _ = outcome.try_set(Some(result));
        });
    };

    view! {
        <div class="page templates-page">
            <div class="page-head">
                <h1 id=PAGE_TITLE_ID tabindex="-1">{move || app.texts().templates_title}</h1>
            </div>
            <div class="page-intro">
                {move || app.texts().templates_intro.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
            </div>
            <TemplateImport />
            {move || {
                app.templates
                    .load_error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="message error" role="alert">
                                {fill(app.texts().templates_unreadable, &e)}
                            </p>
                        }
                    })
            }}
            <div class="template-outcome" aria-live="polite">
                {move || match outcome.get() {
                    Some(Ok(m)) => view! { <p class="message ok">{m}</p> }.into_any(),
                    Some(Err(e)) => {
                        view! {
                            <p class="message error" role="alert">
                                {e}
                            </p>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
            </div>
            <ul class="template-list" aria-label=move || app.texts().templates_label>
                <For
                    each=rows
                    key=|(t, imported)| format!("{}\u{0}{}\u{0}{imported}", t.id, t.version)
                    children=move |(template, imported)| {
                        view! {
                            <TemplateRow
                                template=template
                                imported=imported
                                on_download=on_download
                                on_remove=ask_remove
                            />
                        }
                    }
                />
            </ul>
            <ConfirmDialog
                message=confirm_message
                confirm_label=Signal::derive(move || app.texts().remove.to_string())
                on_confirm=Callback::new(move |()| on_confirm())
                on_cancel=Callback::new(move |()| confirm.set(None))
            />
        </div>
    }
}
