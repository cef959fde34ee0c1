//! "Für alle löschen", at the end of a shared report, for those who may (the owner and the
//! roles that keep the case): the report goes from every device and from the server. Asked
//! once more in a dialog, since it cannot be undone; it needs the connection to the server,
//! and the copy here goes when the server confirms, as everywhere else.

use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::summary::display_title;
use crate::views::confirm_dialog::ConfirmDialog;

#[component]
pub fn DeleteForEveryone() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let may = Memo::new(move |_| {
        editor.link()?;
        editor.may_delete_for_everyone()
    });
    let asking = RwSignal::new(false);
    let state = RwSignal::new(None::<Result<(), String>>);
    let message = Signal::derive(move || {
        asking.get().then(|| {
            let title = display_title(&editor.title());
            fill(app.texts().delete_all_question, &title)
        })
    });
    let on_confirm = Callback::new(move |()| {
        asking.set(false);
        if let Some(role) = may.get_untracked() {
            state.set(Some(editor.delete_for_everyone(role)));
        }
    });
    let on_cancel = Callback::new(move |()| asking.set(false));
    move || {
        may.get().map(|_| {
            let t = app.texts();
            view! {
                <section class="delete-for-everyone" aria-labelledby="fuer-alle-loeschen-titel">
                    <h2 id="fuer-alle-loeschen-titel">{t.delete_all_title}</h2>
                    {t.delete_all_intro.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                    <button
                        class="button danger"
                        id="fuer-alle-loeschen"
                        on:click=move |_| {
                            state.set(None);
                            asking.set(true);
                        }
                    >
                        {t.delete_all_button}
                    </button>
                    {move || match state.get() {
                        Some(Ok(())) => {
                            view! {
                                <p class="message" role="status">
                                    {t.delete_all_sent}
                                </p>
                            }
                                .into_any()
                        }
                        Some(Err(e)) => view! { <p class="message error" role="alert">{e}</p> }.into_any(),
                        None => ().into_any(),
                    }}
                    <ConfirmDialog
                        message=message
                        confirm_label=t.delete_all_confirm
                        on_confirm=on_confirm
                        on_cancel=on_cancel
                    />
                </section>
            }
        })
    }
}
