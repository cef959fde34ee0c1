//! short_text (one line) and long_text (a textarea that grows with its text).

use dreieck_model::Field;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::field_label::{help_id, FieldLabel};

/// Element id of a field's control (also what the "Prüfen" panel focuses).
pub fn control_id(field: &str) -> String {
    format!("feld-{field}")
}

#[component]
pub fn TextField(field: Field, editable: Signal<bool>, multiline: bool) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = control_id(&field.id);
    let described = field.help.as_ref().map(|_| help_id(&id));
    let field_id = StoredValue::new(field.id.clone());

    // Read once on render and again only after changes made elsewhere (see `Editor::track`):
    // a keystroke never re-renders anything.
    let value = move || {
        editor.track();
        editor
            .read(|r| field_id.with_value(|f| r.text(f).unwrap_or_default()))
            .unwrap_or_default()
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let role = app.role.get_untracked();
        field_id.with_value(|f| editor.type_in(|r| r.set_text(role, f, &text)));
    };

    let control = if multiline {
        let node = NodeRef::<Textarea>::new();
        grow_with_content(node);
        view! {
            <textarea
                node_ref=node
                id=id.clone()
                class="control"
                rows="3"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                prop:value=value
                on:input=move |ev| {
                    on_input(ev);
                    resize(node);
                }
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                id=id.clone()
                class="control"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                prop:value=value
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <FieldLabel
                for_id=id
                text=field.label.clone()
                help=field.help.clone()
                required=field.required
                editable=editable
            />
            {control}
        </div>
    }
}

/// Sizes a textarea to its content after it is rendered (CSS `field-sizing` does this on its
/// own where supported; elsewhere this keeps long texts readable without an inner scrollbar).
pub fn grow_with_content(node: NodeRef<Textarea>) {
    Effect::new(move |_| {
        if node.get().is_some() {
            request_animation_frame(move || resize(node));
        }
    });
}

/// Sets the height from `scrollHeight` unless the browser sizes the field by CSS.
pub fn resize(node: NodeRef<Textarea>) {
    if sized_by_css() {
        return;
    }
    if let Some(el) = node.get_untracked() {
        let style = web_sys::HtmlElement::style(&el);
        let _ = style.set_property("height", "auto");
        let _ = style.set_property("height", &format!("{}px", el.scroll_height() + 2));
    }
}

fn sized_by_css() -> bool {
    thread_local! {
        static SUPPORTED: bool = web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"CSS".into()).ok())
            .and_then(|css| {
                let supports = js_sys::Reflect::get(&css, &"supports".into()).ok()?;
                let f: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&supports)?;
                f.call2(&css, &"field-sizing".into(), &"content".into()).ok()
            })
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
    }
    SUPPORTED.with(|s| *s)
}
