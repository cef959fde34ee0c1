//! "Importieren": a report file (sealed `.dreieck` or `.automerge`) taken into this device —
//! as a new report, or merged into the one already here.

use std::time::Duration;

use dreieck_model::ModelError;
use dreieck_texts::fill;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::report_files::{self, Imported};
use crate::views::password_dialog::PasswordDialog;

/// The id of the file input (tests choose files through it).
pub const FILE_INPUT_ID: &str = "import-datei";

#[component]
pub fn ImportButton(
    /// A report was stored (the list reloads).
    on_imported: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let input = NodeRef::<Input>::new();
    // A sealed file waiting for its password.
    let sealed = StoredValue::new_local(None::<Vec<u8>>);
    let asking = RwSignal::new(false);
    let password_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Imported, String>>);

    let fail = move |message: String| {
        let _ = outcome.try_set(Some(Err(message)));
    };

    // Opens the file (decrypting with `password`), then stores it. A wrong password keeps the
    // password dialog open; every other failure closes it and says why.
    let import = move |bytes: Vec<u8>, password: Option<String>| {
        let (report, invitation) = match report_files::open(&bytes, password.as_deref()) {
            Ok(opened) => opened,
            Err(e @ (ModelError::WrongPassword | ModelError::PasswordRequired)) => {
                busy.set(false);
                sealed.set_value(Some(bytes));
                password_error.set(Some(e.to_string()));
                asking.set(true);
                return;
            }
            Err(e) => {
                busy.set(false);
                asking.set(false);
                fail(e.to_string());
                return;
            }
        };
        asking.set(false);
        password_error.set(None);
        // Importing a report that waits in the undo toast means the person wants it: keep it.
        app.deletes.undo(&report.id());
        let Some(store) = app.store() else {
            busy.set(false);
            return;
        };
        spawn_local(async move {
            let result = report_files::store_import(store, report, invitation).await;
            let _ = busy.try_set(false);
            if result.is_ok() {
                on_imported.run(());
            }
            let _ = outcome.try_set(Some(result));
        });
    };

    let choose = move |_| {
        if let Some(el) = input.get() {
            el.click();
        }
    };
    let chosen = move |_| {
        let Some(file) = input
            .get()
            .and_then(|el| report_files::take_chosen_file(&el))
        else {
            return;
        };
        outcome.set(None);
        busy.set(true);
        spawn_local(async move {
            let bytes = match report_files::read_file(&file).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    busy.set(false);
                    fail(e);
                    return;
                }
            };
            match report_files::needs_password(&bytes) {
                Ok(true) => {
                    sealed.set_value(Some(bytes));
                    password_error.set(None);
                    busy.set(false);
                    asking.set(true);
                }
                Ok(false) => import(bytes, None),
                Err(e) => {
                    busy.set(false);
                    fail(e.to_string());
                }
            }
        });
    };
    let submit_password = Callback::new(move |password: String| {
        let Some(bytes) = sealed.get_value() else {
            return;
        };
        busy.set(true);
        password_error.set(None);
        // Argon2 holds the main thread for a moment: let "wird geöffnet" be painted first.
        set_timeout(
            move || import(bytes, Some(password)),
            Duration::from_millis(30),
        );
    });
    let cancel = Callback::new(move |()| {
        sealed.set_value(None);
        asking.set(false);
        busy.set(false);
    });

    view! {
        <div class="import">
            <button
                id="importieren"
                class="button"
                on:click=choose
                disabled=move || busy.get()
                aria-describedby="importieren-hinweis"
            >
                {move || if busy.get() { app.texts().import_busy } else { app.texts().import_button }}
            </button>
            <span id="importieren-hinweis" class="visually-hidden">
                {move || app.texts().import_hint}
            </span>
            <input
                node_ref=input
                id=FILE_INPUT_ID
                type="file"
                accept=".dreieck,.automerge,application/octet-stream"
                hidden
                tabindex="-1"
                on:change=chosen
            />
        </div>
        // One live region that stays in the page: each outcome replaces the last.
        <div class="import-outcome" aria-live="polite">
            {move || match outcome.get() {
                Some(Ok(done)) => {
                    let href = Route::Report(done.id().to_string()).href();
                    view! {
                        <p class="message ok">
                            {done.message()}
                            " "
                            <a href=href>{app.texts().import_open}</a>
                        </p>
                    }
                        .into_any()
                }
                Some(Err(e)) => {
                    let unchanged = if e.contains("Nichts wurde geändert") {
                        String::new()
                    } else {
                        format!(" {}", app.texts().import_unchanged)
                    };
                    view! {
                        <p class="message error" role="alert">
                            {fill(app.texts().import_failed, &e)}
                            {unchanged}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
        </div>
        <PasswordDialog
            open=asking
            error=password_error
            busy=busy
            on_submit=submit_password
            on_cancel=cancel
        />
    }
}
