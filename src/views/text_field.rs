//! short_text (one line) and long_text (a textarea that grows with its text).

use dreieck_model::Field;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::field_label::{described_by, FieldLabel};

/// Element id of a field's control (also what the "Prüfen" panel focuses).
pub fn control_id(field: &str) -> String {
    format!("feld-{field}")
}

#[component]
pub fn TextField(field: Field, editable: Signal<bool>, multiline: bool) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = control_id(&field.id);
    let described = described_by(&field, &id);
    let field_id = StoredValue::new(field.id.clone());

    // Read once on render and again only after changes made elsewhere (see `Editor::track_field`):
    // a keystroke never re-renders anything.
    let value = move || {
        field_id.with_value(|f| editor.track_field(f));
        editor
            .read(|r| field_id.with_value(|f| r.text(f).unwrap_or_default()))
            .unwrap_or_default()
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let role = app.role.get_untracked();
        field_id.with_value(|f| editor.type_text(role, f, &text));
    };

    let control = if multiline {
        let node = NodeRef::<Textarea>::new();
        grow_with_content(node);
        Effect::new(move |_| {
            let text = value();
            if let Some(el) = node.get() {
                if show_text(&el, &text) {
                    resize(node);
                }
            }
        });
        Effect::new(move |_| {
            field_id.with_value(|f| editor.track_previews(f));
            if let Some(el) = node.get() {
                if show_previews(&el, editor, field_id) {
                    resize(node);
                }
            }
        });
        view! {
            <textarea
                node_ref=node
                id=id.clone()
                class="control"
                rows="3"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                on:input=move |ev| {
                    on_input(ev);
                    resize(node);
                }
            ></textarea>
        }
        .into_any()
    } else {
        let node = NodeRef::<leptos::html::Input>::new();
        Effect::new(move |_| {
            let text = value();
            if let Some(el) = node.get() {
                show_text(&el, &text);
            }
        });
        Effect::new(move |_| {
            field_id.with_value(|f| editor.track_previews(f));
            if let Some(el) = node.get() {
                show_previews(&el, editor, field_id);
            }
        });
        view! {
            <input
                node_ref=node
                type="text"
                id=id.clone()
                class="control"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <FieldLabel for_id=id field=field.clone() editable=editable />
            {control}
        </div>
    }
}

/// A text control: a textarea or a one-line input.
pub trait TextControl {
    fn text(&self) -> String;
    fn set_text(&self, text: &str);
    fn selection(&self) -> Option<(u32, u32)>;
    fn select(&self, start: u32, end: u32);
}

macro_rules! text_control {
    ($t:ty) => {
        impl TextControl for $t {
            fn text(&self) -> String {
                self.value()
            }
            fn set_text(&self, text: &str) {
                self.set_value(text)
            }
            fn selection(&self) -> Option<(u32, u32)> {
                Some((self.selection_start().ok()??, self.selection_end().ok()??))
            }
            fn select(&self, start: u32, end: u32) {
                let _ = self.set_selection_range(start, end);
            }
        }
    };
}
text_control!(web_sys::HtmlTextAreaElement);
text_control!(web_sys::HtmlInputElement);

/// Shows a peer's keystrokes that arrived ahead of the document (see `dreieck_model::live`):
/// the control shows exactly the document the sender had, so the splices apply to its value.
fn show_previews(
    el: &(impl TextControl + AsRef<web_sys::Element>),
    editor: crate::state::editor::Editor,
    field_id: StoredValue<String>,
) -> bool {
    let splices = field_id.with_value(|f| editor.take_previews(f));
    if splices.is_empty() {
        return false;
    }
    let shown = splices.iter().fold(el.text(), |text, s| {
        dreieck_model::live::apply_splice(&text, s)
    });
    show_text(el, &shown)
}

/// Shows `text` in the control unless it already shows it; returns whether it changed.
///
/// A change typed elsewhere (a peer, another field's conflict resolution) must not throw the
/// caret of someone typing here to the end: when the control has focus, the selection is kept
/// where it was relative to the surrounding text ([`shift_caret`]).
pub fn show_text(el: &(impl TextControl + AsRef<web_sys::Element>), text: &str) -> bool {
    let old = el.text();
    if old == text {
        return false;
    }
    let focused = document()
        .active_element()
        .is_some_and(|a| &a == el.as_ref());
    let selection = el.selection().filter(|_| focused);
    el.set_text(text);
    if let Some((start, end)) = selection {
        let old16: Vec<u16> = old.encode_utf16().collect();
        let new16: Vec<u16> = text.encode_utf16().collect();
        el.select(
            shift_caret(&old16, &new16, start),
            shift_caret(&old16, &new16, end),
        );
    }
    true
}

/// Where a caret at `pos` (UTF-16 units, as the DOM counts) belongs after `old` became `new`:
/// before the changed stretch it stays, after it it moves with the text, inside it it goes to
/// the stretch's end.
pub fn shift_caret(old: &[u16], new: &[u16], pos: u32) -> u32 {
    let pos = (pos as usize).min(old.len());
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let moved = if pos <= prefix {
        pos
    } else if pos >= old.len() - suffix {
        // At most `suffix` units after the caret, all of them kept at the end of `new`.
        new.len() - (old.len() - pos)
    } else {
        new.len() - suffix
    };
    u32::try_from(moved).unwrap_or(u32::MAX)
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

#[cfg(test)]
mod tests {
    use super::shift_caret;

    fn at(old: &str, new: &str, pos: u32) -> u32 {
        let o: Vec<u16> = old.encode_utf16().collect();
        let n: Vec<u16> = new.encode_utf16().collect();
        shift_caret(&o, &n, pos)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_caret_stays_with_the_text_around_it() {
        // A peer types after the caret: it stays.
        assert_eq!(at("Hallo", "Hallo Welt", 3), 3);
        // A peer types before the caret: it moves with the text behind it.
        assert_eq!(at("Welt", "Hallo Welt", 2), 8);
        assert_eq!(at("abc", "Xabc", 3), 4);
        // A peer deletes before the caret.
        assert_eq!(at("Hallo Welt", "Welt", 8), 2);
        // The stretch around the caret was replaced: the caret goes to its end.
        assert_eq!(at("abcdef", "abXYZef", 3), 5);
        // Umlauts and emoji count in UTF-16 units, as the DOM does.
        assert_eq!(at("Grüße", "😀Grüße", 5), 7);
        // Out-of-range positions are clamped, never panic.
        assert_eq!(at("ab", "", 9), 0);
    }
}
