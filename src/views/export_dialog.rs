//! "Exportieren": the report as a file — sealed with a password, as `.automerge`, as JSON,
//! the goals as CSV.

use dreieck_texts::{fill, Texts};
use leptos::html::Dialog;
use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::state::report_files::{export, ExportKind};

/// What the dialog is doing.
#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    Sealing,
    Done(String),
    Failed(String),
}

/// Shortest password accepted (the model refuses shorter ones too).
const MIN_CHARS: usize = dreieck_model::sealed_file::MIN_PASSWORD_CHARS;

/// The unprotected files: what each is, and whom it is for.
fn open_exports(t: &'static Texts) -> [(ExportKind, &'static str, &'static str); 3] {
    [
        (
            ExportKind::Automerge,
            t.export_automerge,
            t.export_automerge_hint,
        ),
        (ExportKind::Json, t.export_json, t.export_json_hint),
        (ExportKind::GoalsCsv, t.export_csv, t.export_csv_hint),
    ]
}

#[component]
pub fn ExportButton() -> impl IntoView {
    let editor = use_editor();
    let app = crate::state::app_context::use_app();
    let dialog = NodeRef::<Dialog>::new();
    let password = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    // Problems with the password fields, shown beside them once the person tried to seal.
    let password_problem = RwSignal::new(None::<String>);
    let repeat_problem = RwSignal::new(None::<String>);
    let progress = RwSignal::new(Progress::Idle);

    let open = move |_| {
        progress.set(Progress::Idle);
        if let Some(el) = dialog.get() {
            if el.show_modal().is_err() {
                el.set_open(true);
            }
        }
    };
    // Passwords never stay in memory longer than the dialog is open.
    let forget_passwords = move || {
        password.set(String::new());
        repeated.set(String::new());
        password_problem.set(None);
        repeat_problem.set(None);
    };
    let close = move |_| {
        if let Some(el) = dialog.get() {
            el.close();
        }
    };

    let run = move |kind: ExportKind, pw: String| {
        let Some(session) = editor.session() else {
            return;
        };
        progress.set(match export(&session, kind, &pw) {
            Ok(name) => Progress::Done(match kind {
                ExportKind::Sealed => fill(app.texts_now().export_sealed_done, &name),
                _ => fill(app.texts_now().export_done, &name),
            }),
            Err(e) => Progress::Failed(e),
        });
    };

    let seal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        let too_short = pw.chars().count() < MIN_CHARS;
        let differs = pw != repeated.get_untracked();
        password_problem.set(too_short.then(|| {
            fill(
                app.texts_now().export_password_short,
                &MIN_CHARS.to_string(),
            )
        }));
        repeat_problem.set(
            (!too_short && differs).then(|| app.texts_now().export_password_differs.to_string()),
        );
        if too_short {
            crate::state::platform::focus_element("export-passwort");
            return;
        }
        if differs {
            crate::state::platform::focus_element("export-passwort-2");
            return;
        }
        progress.set(Progress::Sealing);
        // Argon2 holds the main thread for a moment: let the browser paint "wird
        // verschlüsselt" first.
        set_timeout(
            move || {
                run(ExportKind::Sealed, pw);
                forget_passwords();
            },
            std::time::Duration::from_millis(30),
        );
    };

    let sealing = move || progress.get() == Progress::Sealing;
    let plain = move |kind: ExportKind| move |_| run(kind, String::new());

    view! {
        <button id="exportieren" class="button" on:click=open>
            {move || app.texts().export_button}
        </button>
        <dialog
            node_ref=dialog
            class="export-dialog"
            aria-labelledby="exportieren-titel"
            on:close=move |_| forget_passwords()
        >
            <h2 id="exportieren-titel">{move || app.texts().export_title}</h2>
            <section class="export-part" aria-labelledby="export-verschluesselt">
                <h3 id="export-verschluesselt">{move || app.texts().export_sealed_title}</h3>
                <p>{move || app.texts().export_sealed_intro}</p>
                <form class="export-password" on:submit=seal novalidate>
                    <div class="field">
                        <label class="field-label" for="export-passwort">
                            {move || fill(app.texts().export_password, &MIN_CHARS.to_string())}
                        </label>
                        <input
                            id="export-passwort"
                            class="control"
                            type="password"
                            autocomplete="new-password"
                            autofocus
                            aria-invalid=move || password_problem.with(Option::is_some).to_string()
                            aria-describedby="export-passwort-fehler"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                        <p id="export-passwort-fehler" class="field-error">
                            {move || password_problem.get()}
                        </p>
                    </div>
                    <div class="field">
                        <label class="field-label" for="export-passwort-2">{move || app.texts().export_password_again}</label>
                        <input
                            id="export-passwort-2"
                            class="control"
                            type="password"
                            autocomplete="new-password"
                            aria-invalid=move || repeat_problem.with(Option::is_some).to_string()
                            aria-describedby="export-passwort-2-fehler"
                            prop:value=move || repeated.get()
                            on:input=move |ev| repeated.set(event_target_value(&ev))
                        />
                        <p id="export-passwort-2-fehler" class="field-error">
                            {move || repeat_problem.get()}
                        </p>
                    </div>
                    <button type="submit" class="button primary" disabled=sealing>
                        {move || {
                            if sealing() { app.texts().export_sealing } else { app.texts().export_seal }
                        }}
                    </button>
                </form>
            </section>
            <section class="export-part" aria-labelledby="export-offen">
                <h3 id="export-offen">{move || app.texts().export_open_title}</h3>
                <p>{move || app.texts().export_open_intro}</p>
                <ul class="export-choices">
                    {move || open_exports(app.texts())
                        .into_iter()
                        .map(|(kind, label, hint)| {
                            view! {
                                <li>
                                    <button class="button" on:click=plain(kind) disabled=sealing>
                                        {label}
                                    </button>
                                    <span>{hint}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <div class="export-result">
                <p class="message" role="status">
                    {move || match progress.get() {
                        Progress::Sealing => app.texts().export_sealing.to_string(),
                        Progress::Done(m) => m,
                        _ => String::new(),
                    }}
                </p>
                {move || match progress.get() {
                    Progress::Failed(e) => {
                        Some(
                            view! {
                                <p class="message error" role="alert">
                                    {fill(app.texts().export_failed, &e)}
                                </p>
                            },
                        )
                    }
                    _ => None,
                }}
            </div>
            <div class="confirm-actions">
                <button class="button" on:click=close>
                    {move || app.texts().close}
                </button>
            </div>
        </dialog>
    }
}
