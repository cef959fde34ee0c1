//! A modal yes/no question (a real `<dialog>`: focus stays inside, Escape cancels).

use leptos::html::Dialog;
use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn ConfirmDialog(
    /// The question; the dialog is open while this is `Some`.
    #[prop(into)]
    message: Signal<Option<String>>,
    /// The text of the confirming button, e.g. "Löschen".
    #[prop(into)]
    confirm_label: Signal<String>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// The question's element id, for a page with more than one dialog.
    #[prop(optional)]
    question_id: Option<&'static str>,
) -> impl IntoView {
    let app = use_app();
    let question_id = question_id.unwrap_or("bestaetigen-frage");
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let open = message.with(Option::is_some);
        if let Some(el) = dialog.get() {
            if open && !el.open() {
                // Without showModal (very old browsers) the dialog still opens, just not modal.
                if el.show_modal().is_err() {
                    el.set_open(true);
                }
            } else if !open && el.open() {
                el.close();
            }
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="confirm-dialog"
            aria-labelledby=question_id
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            <p id=question_id class="confirm-question">
                {move || message.get().unwrap_or_default()}
            </p>
            <div class="confirm-actions">
                // The harmless choice comes first and gets focus when the dialog opens.
                <button class="button" autofocus on:click=move |_| on_cancel.run(())>
                    {move || app.texts().cancel}
                </button>
                <button class="button danger" on:click=move |_| on_confirm.run(())>
                    {move || confirm_label.get()}
                </button>
            </div>
        </dialog>
    }
}
