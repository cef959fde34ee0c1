//! Around a field in the person's own words (O-Ton): whose words they are and how they got
//! there (typed, dictated), a dictation button where German is recognised on the device, and
//! the staff's remark beside the words.

use dreieck_model::{Field, OwnWords, Role};
use dreieck_texts::{fill, fill_with};
use leptos::prelude::*;

use crate::speech::{dictation_available, Dictation};
use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::recorded_words::RecordedWordsList;
use crate::views::text_field::{control_id, show_text};

#[component]
pub fn OwnWordsParts(field: Field) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let field_id = StoredValue::new(field.id.clone());
    // Re-read when the field is touched other than by typing in place: a peer's remark, and
    // the keystroke that first records "getippt" (the session bumps the field then).
    let own = Memo::new(move |_| {
        field_id.with_value(|f| editor.track_field(f));
        editor
            .read(|r| field_id.with_value(|f| r.own_words(f).unwrap_or_default()))
            .unwrap_or_default()
    });
    let byline = move || {
        let t = app.texts();
        let named = editor.title();
        let named = named.trim();
        let (of, subject) = if named.is_empty() {
            (t.own_unnamed.to_string(), t.own_unnamed_subject.to_string())
        } else {
            (named.to_string(), named.to_string())
        };
        if !app.plain.get() {
            let how = own.with(|o| {
                o.input_label()
                    .map(|l| format!(" · {l}"))
                    .unwrap_or_default()
            });
            return fill_with(t.own_by, &[("person", &of), ("how", &how)]);
        }
        // Leichte Sprache: the person is "Sie"; active voice, one statement per sentence.
        let how = own.with(|o| match (o.typed, o.dictated) {
            (true, true) => t.own_typed_spoken,
            (true, false) => t.own_typed,
            (false, true) => t.own_spoken,
            (false, false) => "",
        });
        // The field's own plain help already says "Hier stehen Ihre eigenen Worte".
        if app.role.get() == Role::Beneficiary {
            return if how.is_empty() {
                String::new()
            } else {
                fill(t.own_you_how, how)
            };
        }
        let mut out = fill_with(t.own_by, &[("person", &of), ("how", "")]);
        if !how.is_empty() {
            out.push(' ');
            out.push_str(&fill_with(t.own_how, &[("person", &subject), ("how", how)]));
        }
        out
    };
    let is_beneficiary = move || app.role.get() == Role::Beneficiary;
    let dictate_for = field.id.clone();
    view! {
        <div class="own-words">
            <p class="own-words-by">{byline}</p>
            <Show when=is_beneficiary>
                <DictateButton field_id=dictate_for.clone() />
            </Show>
            <Show when=move || !is_beneficiary()>
                <p class="field-help">
                    {move || {
                        app.texts().own_words_staff_hint
                    }}
                </p>
            </Show>
            <RecordedWordsList field=field.clone() />
            <Remark field=field.clone() own=own />
        </div>
    }
}

/// "Diktieren": shown only where German is recognised on the device.
#[component]
fn DictateButton(field_id: String) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let available = LocalResource::new(dictation_available);
    let listening = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let running = StoredValue::new_local(None::<Dictation>);
    let field = StoredValue::new(field_id);
    let on_text = move |text: String| {
        let current = editor
            .read(|r| field.with_value(|f| r.text(f).unwrap_or_default()))
            .unwrap_or_default();
        let joined = if current.is_empty() || current.ends_with(char::is_whitespace) {
            format!("{current}{text}")
        } else {
            format!("{current} {text}")
        };
        editor.change(|r| field.with_value(|f| r.set_text_dictated(Role::Beneficiary, f, &joined)));
        // The field shows typed text itself; dictated text is put in here.
        if let Some(el) = document()
            .get_element_by_id(&field.with_value(|f| control_id(f)))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlTextAreaElement>(e).ok())
        {
            show_text(&el, &joined);
        }
    };
    let on_end = move |error: Option<String>| {
        listening.set(false);
        problem.set(error.map(|code| fill(app.texts_now().dictate_failed, &code)));
        // Dropped after this event has run (its handler belongs to the recognition).
        set_timeout(move || running.set_value(None), std::time::Duration::ZERO);
    };
    let toggle = move |_| {
        if listening.get_untracked() {
            running.with_value(|d| d.as_ref().map(Dictation::stop));
            return;
        }
        problem.set(None);
        match Dictation::start(on_text, on_end) {
            Ok(d) => {
                running.set_value(Some(d));
                listening.set(true);
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    view! {
        <Show when=move || available.get().unwrap_or(false)>
            <button type="button" class="button dictate" aria-pressed=move || listening.get().to_string() on:click=toggle>
                {move || if listening.get() { app.texts().dictate_stop } else { app.texts().dictate }}
            </button>
            <span class="dictate-state" role="status">
                {move || listening.get().then_some(app.texts().dictate_listening)}
            </span>
        </Show>
        {move || problem.get().map(|p| view! { <p class="notice">{p}</p> })}
    }
}

/// The staff's remark beside the person's words.
#[component]
fn Remark(field: Field, own: Memo<OwnWords>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = format!("{}-anmerkung", control_id(&field.id));
    let editors = field.editors.clone();
    let editable = Signal::derive(move || {
        let role = app.role.get();
        role != Role::Beneficiary && editors.contains(&role)
    });
    let field_id = StoredValue::new(field.id.clone());
    let node = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        let text = own.with(|o| o.remark.clone());
        if let Some(el) = node.get() {
            show_text(&el, &text);
        }
    });
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let role = app.role.get_untracked();
        field_id.with_value(|f| editor.type_in(|r| r.set_own_words_remark(role, f, &text)));
    };
    // Only to read and empty: nothing to show (the person would see a greyed, empty box).
    let shown = move || editable.get() || own.with(|o| !o.remark.trim().is_empty());
    view! {
        <div class="remark-part" hidden=move || !shown()>
            <label class="field-label" for=id.clone()>
                {move || app.texts().own_words_remark}
            </label>
            <textarea node_ref=node id=id class="control remark" rows="2" prop:readOnly=move || !editable.get() on:input=on_input></textarea>
        </div>
    }
}
