//! The lock screen: shown instead of the app while a device with a PIN is locked. Nothing of
//! the app is mounted behind it (no report is read before the PIN is right), and it works
//! without the app's context: Leichte Sprache is read from its own (clear) setting and can be
//! switched here, since the person supported may be the one holding the tablet.

use dreieck::storage::vault::{self, UnlockError};
use dreieck::storage::{settings, ReportStore};
use dreieck_model::at_rest::WIPE_AFTER;
use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD, Texts};
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
    // Before the PIN there is no app context: the page keeps its own choice of language.
    let texts = move || -> &'static Texts {
        if plain.get() {
            &PLAIN
        } else {
            &STANDARD
        }
    };
    let say = move |text: fn(&'static Texts) -> &'static str| text(texts()).to_string();
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
                let mut text = fill(texts().locked_wrong_pin, &left.to_string());
                if let Some(t) = wait {
                    text.push('\n');
                    text.push_str(&fill(texts().locked_next_try, &t));
                }
                text
            }
            UnlockError::Wait { .. } => say(|t| t.locked_wait),
            other => other.to_string(),
        })
    };

    view! {
        <main id="hauptinhalt" class="page lock-page" tabindex="-1">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || say(|t| t.locked_title)}
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
                {move || texts().plain_language}
            </button>
            <Show
                when=move || progress.get() != Progress::Wiped
                fallback=move || {
                    view! {
                        <p class="message error plain-lines" role="alert">
                            {move || say(|t| t.locked_wiped)}
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
                            {move || say(|t| t.locked_start_again)}
                        </button>
                    }
                }
            >
                <p class="plain-lines">
                    {move || say(|t| t.locked_intro)}
                </p>
                <form class="lock-form" on:submit=submit novalidate>
                    <div class="field">
                        <label class="field-label" for=PIN_ID>{move || say(|t| t.locked_pin)}</label>
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
                            Progress::Unlocking => say(|t| t.locked_opening),
                            Progress::Sealing => say(|t| t.locked_sealing),
                            _ => say(|t| t.locked_open),
                        }}
                    </button>
                </form>
                <p class="message error plain-lines" role="alert">{message}</p>
                <p id="pin-hinweis" class="hint plain-lines">
                    {move || {
                        (failures.get() > 0)
                            .then(|| {
                                fill(texts().locked_warning, &WIPE_AFTER.to_string())
                            })
                    }}
                </p>
            </Show>
        </main>
    }
}
