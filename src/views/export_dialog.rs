//! "Exportieren": the report as a file — sealed with a password, as `.automerge`, as JSON,
//! the goals as CSV.

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
const PLAIN_EXPORTS: [(ExportKind, &str, &str); 3] = [
    (
        ExportKind::Automerge,
        "Automerge-Datei (.automerge)",
        "Der ganze Bericht mit Verlauf, für Programme, die Automerge lesen.",
    ),
    (
        ExportKind::Json,
        "Inhalte als JSON (.json)",
        "Alle Felder, Ziele, Unterschriften und der Stand des Berichts für die Systeme des Leistungsträgers.",
    ),
    (
        ExportKind::GoalsCsv,
        "Ziele als Tabelle (.csv)",
        "Eine Zeile je Ziel, zum Beispiel für Excel.",
    ),
];

#[component]
pub fn ExportButton() -> impl IntoView {
    let editor = use_editor();
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
                ExportKind::Sealed => format!(
                    "Die verschlüsselte Datei „{name}“ wurde heruntergeladen. Das Passwort ist nirgends gespeichert: bitte auf anderem Weg weitergeben, zum Beispiel am Telefon."
                ),
                _ => format!("„{name}“ wurde heruntergeladen."),
            }),
            Err(e) => Progress::Failed(e),
        });
    };

    let seal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        let too_short = pw.chars().count() < MIN_CHARS;
        let differs = pw != repeated.get_untracked();
        password_problem.set(
            too_short
                .then(|| format!("Das Passwort muss mindestens {MIN_CHARS} Zeichen lang sein.")),
        );
        repeat_problem.set(
            (!too_short && differs)
                .then(|| "Die beiden Passwörter stimmen nicht überein.".to_string()),
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
            "Exportieren"
        </button>
        <dialog
            node_ref=dialog
            class="export-dialog"
            aria-labelledby="exportieren-titel"
            on:close=move |_| forget_passwords()
        >
            <h2 id="exportieren-titel">"Bericht exportieren"</h2>
            <section class="export-part" aria-labelledby="export-verschluesselt">
                <h3 id="export-verschluesselt">"Verschlüsselte Datei (.dreieck)"</h3>
                <p>
                    "Zum Weitergeben auf einem USB-Stick oder per E-Mail. Öffnen kann die Datei nur, wer das Passwort kennt: in Dreieck mit „Importieren“."
                </p>
                <form class="export-password" on:submit=seal novalidate>
                    <div class="field">
                        <label class="field-label" for="export-passwort">
                            {format!("Passwort (mindestens {MIN_CHARS} Zeichen)")}
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
                        <label class="field-label" for="export-passwort-2">"Passwort wiederholen"</label>
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
                            if sealing() { "Wird verschlüsselt …" } else { "Verschlüsselt speichern" }
                        }}
                    </button>
                </form>
            </section>
            <section class="export-part" aria-labelledby="export-offen">
                <h3 id="export-offen">"Unverschlüsselt"</h3>
                <p>
                    "Diese Dateien sind nicht geschützt. Nur auf eigenen Geräten ablegen oder auf einem sicheren Weg weitergeben."
                </p>
                <ul class="export-choices">
                    {PLAIN_EXPORTS
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
                        Progress::Sealing => "Wird verschlüsselt …".to_string(),
                        Progress::Done(m) => m,
                        _ => String::new(),
                    }}
                </p>
                {move || match progress.get() {
                    Progress::Failed(e) => {
                        Some(
                            view! {
                                <p class="message error" role="alert">
                                    "Export nicht möglich: "
                                    {e}
                                </p>
                            },
                        )
                    }
                    _ => None,
                }}
            </div>
            <div class="confirm-actions">
                <button class="button" on:click=close>
                    "Schließen"
                </button>
            </div>
        </dialog>
    }
}
