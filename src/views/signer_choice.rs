//! "Wer unterschreibt?" above the signature pad: the people of the signing role who have a key
//! of their own on this device (each behind their own PIN), or somebody else, who signs with a
//! key made for this one signature. Nobody signs with the device's key for the role, which is
//! everybody's who uses the device (see `dreieck_model::trust` "own_key").

use dreieck::storage::people;
use dreieck_model::{PersonKey, Role};
use dreieck_texts::{fill, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::pin_input::PinInput;

/// Who signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    /// Somebody without a key here: a key for this signature only.
    ForThisSignature,
    /// A person set up on this device (their public key, hex).
    Person { public: String, name: String },
}

/// The people who may sign as `role` with a key of their own here.
pub fn people_for(role: Role) -> Vec<PersonKey> {
    people::load()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.role == role)
        .collect()
}

#[component]
pub fn SignerChoice(
    /// Element id prefix (the line's control id).
    base: String,
    #[prop(into)] role: Signal<Role>,
    chosen: RwSignal<Signer>,
    /// The pad's name field: set to the person chosen.
    name: RwSignal<String>,
    pin: RwSignal<String>,
    /// What went wrong with the PIN.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    // Read again with every error shown: a key deleted after too many wrong PINs leaves.
    let list = Memo::new(move |_| {
        error.track();
        people_for(role.get())
    });
    // Another role: whoever was chosen is not one of its people.
    Effect::new(move |_| {
        role.track();
        chosen.set(Signer::ForThisSignature);
        pin.set(String::new());
        error.set(None);
    });
    let group = format!("{base}-wer");
    let pin_id = format!("{base}-pin");
    let error_id = format!("{base}-pin-fehler");
    let choose = move |signer: Signer| {
        if let Signer::Person { name: n, .. } = &signer {
            name.set(n.clone());
        }
        chosen.set(signer);
        pin.set(String::new());
        error.set(None);
    };

    move || {
        let people = list.get();
        if people.is_empty() {
            // Nobody has a key of their own for this role here: a key for this signature.
            return ().into_any();
        }
        let group = group.clone();
        let pin_id = pin_id.clone();
        let error_id = error_id.clone();
        let options = people
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let id = format!("{group}-{i}");
                let signer = Signer::Person {
                    public: p.public.clone(),
                    name: p.name.clone(),
                };
                let is_chosen = {
                    let signer = signer.clone();
                    move || chosen.get() == signer
                };
                view! {
                    <label class="choice" id=id>
                        <input
                            type="radio"
                            name=group.clone()
                            prop:checked=is_chosen
                            on:change=move |_| choose(signer.clone())
                        />
                        <span>{p.name.clone()}</span>
                    </label>
                }
            })
            .collect_view();
        let other_id = format!("{group}-andere");
        let described = error_id.clone();
        let person_chosen = move || matches!(chosen.get(), Signer::Person { .. });
        let pin_label = move || match chosen.get() {
            Signer::Person { name, .. } => fill(app.texts().signer_pin_of, &name),
            Signer::ForThisSignature => String::new(),
        };
        view! {
            <fieldset class="signer-choice">
                <legend>{move || app.texts().signer_title.to_string()}</legend>
                {options}
                <label class="choice" id=other_id>
                    <input
                        type="radio"
                        name=group.clone()
                        prop:checked=move || chosen.get() == Signer::ForThisSignature
                        on:change=move |_| choose(Signer::ForThisSignature)
                    />
                    <span>
                        {move || app.texts().signer_other.to_string()}
                    </span>
                </label>
                <Show when=person_chosen>
                    <PinInput
                        id=pin_id.clone()
                        label=(STANDARD.signer_own_pin, PLAIN.signer_own_pin)
                        label_text=Signal::derive(pin_label)
                        autocomplete="current-password"
                        value=pin
                        described=described.clone()
                    />
                </Show>
                <p id=error_id class="field-error" role="alert">{move || error.get()}</p>
            </fieldset>
        }
        .into_any()
    }
}
