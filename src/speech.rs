//! Dictation through the browser's speech recognition — only where it runs on the device.
//!
//! The person's words must not leave the device unencrypted, so a recogniser that sends the
//! audio to a server is not used: dictation is offered only where `SpeechRecognition.available`
//! reports German as available with `processLocally`, and every recognition asks for it. Where
//! the browser has no such API (or no German on-device model), there is no dictation button.
//!
//! The Web Speech API is not in web-sys's stable set, so it is reached through `js_sys`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

const LANG: &str = "de-DE";

fn recognition_class() -> Option<Function> {
    let window = web_sys::window()?;
    ["SpeechRecognition", "webkitSpeechRecognition"]
        .into_iter()
        .find_map(|name| Reflect::get(&window, &name.into()).ok()?.dyn_into().ok())
}

fn local_german() -> Object {
    let options = Object::new();
    let langs = Array::of1(&LANG.into());
    let _ = Reflect::set(&options, &"langs".into(), &langs);
    let _ = Reflect::set(&options, &"processLocally".into(), &true.into());
    options
}

/// Whether German can be recognised on this device.
pub async fn dictation_available() -> bool {
    let Some(class) = recognition_class() else {
        return false;
    };
    let Ok(available) = Reflect::get(&class, &"available".into()) else {
        return false;
    };
    let Ok(available) = available.dyn_into::<Function>() else {
        return false; // a recogniser without the on-device API may send audio away
    };
    let Ok(promise) = available.call1(&class, &local_german()) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    matches!(
        wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string()),
        Some(s) if s == "available"
    )
}

/// A running recognition; stopping it (or dropping it) ends listening.
pub struct Dictation {
    recognition: JsValue,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Dictation {
    /// Listens once: `on_text` gets the recognised sentence, `on_end` is called when listening
    /// ends, with the recogniser's error code when it failed.
    pub fn start(
        on_text: impl Fn(String) + 'static,
        on_end: impl Fn(Option<String>) + 'static,
    ) -> Result<Dictation, String> {
        let class = recognition_class().ok_or("Spracherkennung fehlt.")?;
        let recognition = Reflect::construct(&class, &Array::new())
            .map_err(|_| "Spracherkennung lässt sich nicht starten.".to_string())?;
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&recognition, &k.into(), &v);
        };
        set("lang", LANG.into());
        set("processLocally", true.into());
        set("interimResults", false.into());
        set("continuous", false.into());
        let on_end = Rc::new(on_end);
        let failed = Rc::new(RefCell::new(None::<String>));
        let result: Closure<dyn FnMut(JsValue)> = Closure::new(move |event: JsValue| {
            if let Some(text) = transcript(&event) {
                on_text(text);
            }
        });
        let error: Closure<dyn FnMut(JsValue)> = {
            let failed = failed.clone();
            Closure::new(move |event: JsValue| {
                let code = Reflect::get(&event, &"error".into())
                    .ok()
                    .and_then(|c| c.as_string())
                    .unwrap_or_else(|| "unbekannt".into());
                *failed.borrow_mut() = Some(code);
            })
        };
        let end: Closure<dyn FnMut(JsValue)> = {
            let on_end = on_end.clone();
            Closure::new(move |_| on_end(failed.borrow_mut().take()))
        };
        set("onresult", result.as_ref().clone());
        set("onerror", error.as_ref().clone());
        set("onend", end.as_ref().clone());
        call(&recognition, "start").map_err(|_| "Spracherkennung lässt sich nicht starten.")?;
        Ok(Dictation {
            recognition,
            _handlers: vec![result, error, end],
        })
    }

    pub fn stop(&self) {
        let _ = call(&self.recognition, "stop");
    }
}

impl Drop for Dictation {
    fn drop(&mut self) {
        for handler in ["onresult", "onerror", "onend"] {
            let _ = Reflect::set(&self.recognition, &handler.into(), &JsValue::NULL);
        }
        let _ = call(&self.recognition, "abort");
    }
}

fn call(target: &JsValue, method: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &method.into())?
        .dyn_into::<Function>()?
        .call0(target)
}

/// The best alternative of the last final result of a `SpeechRecognitionEvent`.
fn transcript(event: &JsValue) -> Option<String> {
    let results = Reflect::get(event, &"results".into()).ok()?;
    let count = Reflect::get(&results, &"length".into()).ok()?.as_f64()? as u32;
    let last = Reflect::get_u32(&results, count.checked_sub(1)?).ok()?;
    let best = Reflect::get_u32(&last, 0).ok()?;
    let text = Reflect::get(&best, &"transcript".into())
        .ok()?
        .as_string()?;
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}
