//! The lock screen: shown instead of the app while a device with a PIN is locked. Nothing of
//! the app is mounted behind it (no report is read before the PIN is right), and it works
//! without the app's context: Leichte Sprache is read from its own (clear) setting and can be
//! switched here, since the person supported may be the one holding the tablet.

use dreieck::storage::vault::{self, UnlockError};
use dreieck::storage::{settings, ReportStore};
use dreieck_model::at_rest::WIPE_AFTER;
use leptos::prelude::*;

use crate::state::platform::focus_element;
use crate::views::app_shell::PAGE_TITLE_ID;

const PLAIN_LANGUAGE: &str = "plain_language";
const PIN_ID: &str = "pin";

#[derive(Clone, Copy, PartialEq)]
enum Progress {
    Idle,
    Unlocking,
    Sealing,
    Wiped,
}

#[component]
pub fn LockScreen(store: Option<ReportStore>, on_open: Callback<()>) -> impl IntoView {
    let plain = RwSignal::new(settings::get(PLAIN_LANGUAGE).as_deref() == Some("1"));
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root
                .class_list()
                .toggle_with_force("plain-language", plain.get());
        }
    });
    let say = move |standard: &str, easy: &str| {
        if plain.get() {
            easy.to_string()
        } else {
            standard.to_string()
        }
    };
    let pin = RwSignal::new(String::new());
    let progress = RwSignal::new(Progress::Idle);
    let problem = RwSignal::new(vault::wait_until().map(|_| UnlockError::Wait {
        until_text: String::new(),
    }));
    let failures = RwSignal::new(vault::failures());
    let store = StoredValue::new_local(store);
    // `autofocus` is not applied to an element the app inserts after load.
    request_animation_frame(|| {
        focus_element(PIN_ID);
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if progress.get_untracked() != Progress::Idle {
            return;
        }
        let typed = pin.get_untracked();
        progress.set(Progress::Unlocking);
        problem.set(None);
        let store = store.get_value();
        leptos::task::spawn_local(async move {
            match vault::unlock(&typed).await {
                Ok(()) => {
                    pin.set(String::new());
                    if vault::plain_left() {
                        progress.set(Progress::Sealing);
                        if let Some(store) = &store {
                            // A failure leaves plain records readable; the next unlock retries.
                            if let Err(e) = store.seal_everything().await {
                                leptos::logging::warn!(
                                    "Dreieck: Umstellung auf verschlüsselt unvollständig: {e}"
                                );
                            }
                        }
                    }
                    on_open.run(());
                }
                Err(UnlockError::Wiped) => {
                    if let Some(store) = &store {
                        let _ = store.wipe().await;
                    }
                    pin.set(String::new());
                    progress.set(Progress::Wiped);
                }
                Err(e) => {
                    pin.set(String::new());
                    failures.set(vault::failures());
                    problem.set(Some(e));
                    progress.set(Progress::Idle);
                    request_animation_frame(|| {
                        focus_element(PIN_ID);
                    });
                }
            }
        });
    };

    let message = move || {
        problem.get().map(|e| match e {
            UnlockError::WrongPin { left, wait } => {
                let mut text = say(
                    &format!("Die PIN ist falsch. Noch {left} Versuche, dann werden alle Daten auf diesem Gerät gelöscht."),
                    &format!("Die PIN ist falsch.\nSie haben noch {left} Versuche.\nDanach löscht Dreieck alle Berichte auf diesem Gerät."),
                );
                if let Some(t) = wait {
                    text.push('\n');
                    text.push_str(&say(
                        &format!("Der nächste Versuch geht ab {t}."),
                        &format!("Warten Sie bis {t}.\nDann können Sie es noch einmal versuchen."),
                    ));
                }
                text
            }
            UnlockError::Wait { .. } => say(
                "Zu viele falsche Versuche. Bitte warten Sie etwas und versuchen Sie es dann noch einmal.",
                "Die PIN war zu oft falsch.\nWarten Sie ein paar Minuten.\nDann können Sie es noch einmal versuchen.",
            ),
            other => other.to_string(),
        })
    };

    view! {
        <main id="hauptinhalt" class="page lock-page" tabindex="-1">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || say("Dreieck ist gesperrt", "Dreieck ist zu")}
            </h1>
            <button
                type="button"
                class="button toggle plain-switch"
                aria-pressed=move || plain.get().to_string()
                on:click=move |_| {
                    let now = !plain.get_untracked();
                    let _ = settings::set(PLAIN_LANGUAGE, if now { "1" } else { "0" });
                    plain.set(now);
                }
            >
                "Leichte Sprache"
            </button>
            <Show
                when=move || progress.get() != Progress::Wiped
                fallback=move || {
                    view! {
                        <p class="message error plain-lines" role="alert">
                            {move || say(
                                "Die PIN war zu oft falsch. Darum sind alle Daten auf diesem Gerät gelöscht. Geteilte Berichte bekommen Sie zurück, wenn jemand aus dem Bericht Sie neu einlädt.",
                                "Die PIN war zu oft falsch.\nDarum hat Dreieck alle Berichte auf diesem Gerät gelöscht.\nSie bekommen einen Bericht zurück, wenn jemand Sie neu einlädt.",
                            )}
                        </p>
                        <button
                            type="button"
                            class="button primary"
                            on:click=move |_| {
                                // The case list, not the report that was open: it is gone.
                                crate::route::replace(&crate::route::Route::CaseList);
                                let _ = window().location().reload();
                            }
                        >
                            {move || say("Neu beginnen", "Neu anfangen")}
                        </button>
                    }
                }
            >
                <p class="plain-lines">
                    {move || say(
                        "Geben Sie die PIN dieses Geräts ein, um die Berichte zu öffnen.",
                        "Geben Sie die PIN ein.\nDie PIN ist eine geheime Zahl.\nDann geht Dreieck auf.",
                    )}
                </p>
                <form class="lock-form" on:submit=submit novalidate>
                    <div class="field">
                        <label class="field-label" for=PIN_ID>"PIN"</label>
                        <input
                            id=PIN_ID
                            class="control pin-input"
                            type="password"
                            inputmode="numeric"
                            autocomplete="current-password"
                            autofocus
                            aria-describedby="pin-hinweis"
                            prop:value=move || pin.get()
                            on:input=move |ev| pin.set(event_target_value(&ev))
                        />
                    </div>
                    <button
                        type="submit"
                        class="button primary"
                        disabled=move || progress.get() != Progress::Idle
                    >
                        {move || match progress.get() {
                            Progress::Unlocking => say("Wird entsperrt …", "Einen Moment …"),
                            Progress::Sealing => {
                                say("Daten werden verschlüsselt …", "Einen Moment …")
                            }
                            _ => say("Entsperren", "Öffnen"),
                        }}
                    </button>
                </form>
                <p class="message error plain-lines" role="alert">{message}</p>
                <p id="pin-hinweis" class="hint plain-lines">
                    {move || {
                        (failures.get() > 0)
                            .then(|| {
                                say(
                                    &format!("Nach {WIPE_AFTER} falschen Versuchen werden die Schlüssel und alle Berichte auf diesem Gerät gelöscht. Geteilte Berichte bekommen Sie danach zurück, wenn jemand aus dem Bericht Sie neu einlädt. Berichte nur auf diesem Gerät gibt es dann nur noch, wenn Sie sie als verschlüsselte Datei gespeichert haben."),
                                    &format!("Nach {WIPE_AFTER} falschen Versuchen löscht Dreieck alle Berichte auf diesem Gerät.\nEinen geteilten Bericht bekommen Sie zurück.\nDafür muss Sie jemand neu einladen.\nEinen Bericht nur auf diesem Gerät gibt es dann nur noch als Datei.\nAber nur, wenn Sie eine Datei gespeichert haben."),
                                )
                            })
                    }}
                </p>
            </Show>
        </main>
    }
}
