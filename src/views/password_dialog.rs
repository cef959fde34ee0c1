//! Asks for the password of a sealed report file (a real `<dialog>`: focus stays inside,
//! Escape cancels, Enter opens).

use leptos::html::{Dialog, Input};
use leptos::prelude::*;

#[component]
pub fn PasswordDialog(
    /// The dialog is open while this holds.
    #[prop(into)]
    open: Signal<bool>,
    /// Why the last try failed (wrong password), in German.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The file is being opened (Argon2 takes a moment).
    #[prop(into)]
    busy: Signal<bool>,
    on_submit: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let app = crate::state::app_context::use_app();
    let dialog = NodeRef::<Dialog>::new();
    let input = NodeRef::<Input>::new();
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        let open = open.get();
        if let Some(el) = dialog.get() {
            if open && !el.open() {
                password.set(String::new());
                if el.show_modal().is_err() {
                    el.set_open(true);
                }
            } else if !open && el.open() {
                password.set(String::new());
                el.close();
            }
        }
    });
    // After a wrong password: back to the field, its text selected for retyping.
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            if let Some(el) = input.get() {
                let _ = el.focus();
                el.select();
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            on_submit.run(password.get_untracked());
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="password-dialog"
            aria-labelledby="passwort-titel"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            <form on:submit=submit novalidate>
                <h2 id="passwort-titel">{move || app.texts().open_file_title}</h2>
                <p>{move || app.texts().open_file_intro}</p>
                <div class="field">
                    <label class="field-label" for="import-passwort">
                        {move || app.texts().open_file_password}
                    </label>
                    <input
                        node_ref=input
                        id="import-passwort"
                        class="control"
                        type="password"
                        autocomplete="off"
                        autofocus
                        aria-invalid=move || error.with(Option::is_some).to_string()
                        aria-describedby="import-passwort-fehler"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <p id="import-passwort-fehler" class="field-error" role="alert">
                        {move || error.get()}
                    </p>
                </div>
                <p class="message" role="status">
                    {move || if busy.get() { app.texts().open_file_busy } else { "" }}
                </p>
                <div class="confirm-actions">
                    <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                        {move || app.texts().cancel}
                    </button>
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || app.texts().open_file_open}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
