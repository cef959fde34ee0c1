//! "Sperre" (`#/sperre`): protect this device with a PIN, choose when it locks by itself,
//! change the PIN, lock now.

use dreieck::storage::vault::{self, UnlockError, IDLE_CHOICES};
use dreieck_model::at_rest::MIN_PIN_CHARS;
use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::device_lock::{self, LockProblem};
use crate::state::platform::focus_element;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::people_settings::PeopleSettings;
use crate::views::pin_input::PinInput;

#[component]
pub fn LockPage() -> impl IntoView {
    let app = use_app();
    let has_pin = RwSignal::new(vault::has_pin());
    view! {
        <div class="page lock-settings">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || app.texts().lock_page_title.to_string()}
            </h1>
            <Show when=move || has_pin.get() fallback=move || view! { <PinSetup has_pin=has_pin /> }>
                <LockNow />
                <IdleChoice />
                <PinChange />
            </Show>
            <PeopleSettings />
        </div>
    }
}

/// The first PIN, and moving what is stored under it.
#[component]
pub fn PinSetup(has_pin: RwSignal<bool>) -> impl IntoView {
    let app = use_app();
    let problem = expect_context::<LockProblem>();
    let pin = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (p, r) = (pin.get_untracked(), repeated.get_untracked());
        if p.chars().count() < MIN_PIN_CHARS {
            error.set(Some(fill(
                app.texts_now().pin_too_short,
                &MIN_PIN_CHARS.to_string(),
            )));
            focus_element("neue-pin");
            return;
        }
        if p != r {
            error.set(Some(app.texts_now().pin_mismatch.into()));
            focus_element("neue-pin-2");
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            dreieck::storage::yield_to_browser().await;
            let outcome = match vault::set_pin(&p) {
                Ok(()) => match app.store() {
                    Some(store) => store.seal_everything().await.map(|_| ()),
                    None => Ok(()),
                },
                Err(e) => Err(e),
            };
            pin.set(String::new());
            repeated.set(String::new());
            busy.set(false);
            match outcome {
                Ok(()) => {
                    device_lock::watch(problem);
                    has_pin.set(true);
                }
                // The PIN is set; what is still plain is rewritten at the next unlock.
                Err(e) if vault::has_pin() => {
                    leptos::logging::warn!("Dreieck: Umstellung unvollständig: {e}");
                    device_lock::watch(problem);
                    has_pin.set(true);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <p>
            {move || app.texts().lock_page_intro.to_string()}
        </p>
        <p class="hint">
            {move || fill(app.texts().pin_hint, &MIN_PIN_CHARS.to_string())}
        </p>
        <form class="lock-form" on:submit=submit novalidate>
            <PinInput id="neue-pin" label=(STANDARD.pin_new, PLAIN.pin_new) autocomplete="new-password" value=pin />
            <PinInput id="neue-pin-2" label=(STANDARD.pin_repeat, PLAIN.pin_repeat) autocomplete="new-password" value=repeated />
            <p id="pin-fehler" class="field-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="button primary" disabled=move || busy.get()>
                {move || if busy.get() { app.texts().pin_setting } else { app.texts().pin_set }}
            </button>
        </form>
    }
}

#[component]
fn LockNow() -> impl IntoView {
    let app = use_app();
    let problem = expect_context::<LockProblem>();
    view! {
        <section aria-labelledby="sperren-titel">
            <h2 id="sperren-titel">{move || app.texts().lock_now_button.to_string()}</h2>
            <p>{move || app.texts().lock_now_hint.to_string()}</p>
            <button type="button" class="button primary" on:click=move |_| device_lock::lock_now(problem, true)>
                {move || app.texts().lock_now_button.to_string()}
            </button>
        </section>
    }
}

#[component]
fn IdleChoice() -> impl IntoView {
    let app = use_app();
    let chosen = RwSignal::new(vault::idle_minutes());
    let error = RwSignal::new(None::<String>);
    view! {
        <section aria-labelledby="minuten-titel">
            <h2 id="minuten-titel">{move || app.texts().lock_auto_title.to_string()}</h2>
            <div class="field">
                <label class="field-label" for="sperre-minuten">
                    {move || app.texts().lock_auto_minutes.to_string()}
                </label>
                <select id="sperre-minuten" class="control" on:change=move |ev| {
                    if let Ok(m) = event_target_value(&ev).parse::<u32>() {
                        match vault::set_idle_minutes(m) {
                            Ok(()) => { chosen.set(m); error.set(None); }
                            Err(e) => error.set(Some(e.to_string())),
                        }
                    }
                }>
                    {IDLE_CHOICES.iter().map(|&m| view! {
                        <option value=m.to_string() selected=move || chosen.get() == m>
                            {if m == 1 { app.texts().pin_one_minute.to_string() } else { fill(app.texts().pin_minutes, &m.to_string()) }}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </section>
    }
}

#[component]
fn PinChange() -> impl IntoView {
    let app = use_app();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (o, n, r) = (
            old.get_untracked(),
            new.get_untracked(),
            repeated.get_untracked(),
        );
        if n != r {
            outcome.set(Some(Err(app.texts_now().pin_new_mismatch.into())));
            return;
        }
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let result = vault::change_pin(&o, &n).await;
            old.set(String::new());
            new.set(String::new());
            repeated.set(String::new());
            busy.set(false);
            outcome.set(Some(match result {
                Ok(()) => Ok(app.texts_now().pin_changed.into()),
                Err(UnlockError::Wiped) => {
                    let _ = window().location().reload();
                    Err(UnlockError::Wiped.to_string())
                }
                Err(e) => Err(e.to_string()),
            }));
        });
    };
    view! {
        <section aria-labelledby="aendern-titel">
            <h2 id="aendern-titel">{move || app.texts().pin_change_title}</h2>
            <form class="lock-form" on:submit=submit novalidate>
                <PinInput id="alte-pin" label=(STANDARD.pin_old, PLAIN.pin_old) autocomplete="current-password" value=old />
                <PinInput id="geaenderte-pin" label=(STANDARD.pin_new, PLAIN.pin_new) autocomplete="new-password" value=new />
                <PinInput id="geaenderte-pin-2" label=(STANDARD.pin_new_repeat, PLAIN.pin_new_repeat) autocomplete="new-password" value=repeated />
                <button type="submit" class="button" disabled=move || busy.get()>{move || app.texts().pin_change}</button>
            </form>
            <p class="message" role="status">{move || outcome.get().and_then(Result::ok)}</p>
            <p id="pin-fehler" class="message error" role="alert">
                {move || outcome.get().and_then(Result::err)}
            </p>
        </section>
    }
}
