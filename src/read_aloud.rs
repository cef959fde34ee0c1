//! Reading aloud with the browser's speech synthesis, one utterance per sentence.
//!
//! One utterance per sentence, not one for the whole block: the `start` event of each tells
//! the view which sentence to highlight, which works with every voice (the `boundary` events
//! some voices fire for words are not reliable enough to find sentences with). The synthesis
//! runs in the browser or the operating system; it needs no network for the voices a device
//! has installed, and nothing here sends text anywhere.
//!
//! At most one reading runs at a time: starting one stops the last. Handlers of a stopped
//! reading are detached before the synthesis is cancelled, so the events a cancel fires for
//! queued utterances reach nobody.

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

const LANG: &str = "de-DE";
/// A little slower than the default: Leichte Sprache is read to people who may need time.
const RATE: f32 = 0.9;

struct Reading {
    utterances: Vec<SpeechSynthesisUtterance>,
    _handlers: Vec<Closure<dyn FnMut()>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Reading>> = const { RefCell::new(None) };
}

fn synthesis() -> Option<SpeechSynthesis> {
    let window = web_sys::window()?;
    // `speechSynthesis` is missing in some embedded browsers; reading it must not throw.
    let value = js_sys::Reflect::get(&window, &"speechSynthesis".into()).ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    Some(value.unchecked_into())
}

/// Whether this browser can read aloud at all (it may still lack a German voice; then it
/// reads with its default voice and `lang` set to German).
pub fn available() -> bool {
    synthesis().is_some()
}

/// A German voice, preferring one that runs on the device.
fn german_voice(synthesis: &SpeechSynthesis) -> Option<SpeechSynthesisVoice> {
    let voices: Vec<SpeechSynthesisVoice> = synthesis
        .get_voices()
        .iter()
        .filter_map(|v| v.dyn_into().ok())
        .filter(|v: &SpeechSynthesisVoice| v.lang().to_lowercase().starts_with("de"))
        .collect();
    voices
        .iter()
        .find(|v| v.local_service())
        .or(voices.first())
        .cloned()
}

/// Reads `sentences` one after another. `on_sentence(i)` is called when sentence `i` starts,
/// `on_done` once when the last has ended or the reading failed (not when it was stopped).
pub fn speak(
    sentences: &[String],
    on_sentence: impl Fn(usize) + 'static,
    on_done: impl Fn() + 'static,
) -> Result<(), String> {
    stop();
    let synthesis = synthesis().ok_or("Vorlesen geht in diesem Browser nicht.")?;
    let voice = german_voice(&synthesis);
    let on_sentence = std::rc::Rc::new(on_sentence);
    let on_done = std::rc::Rc::new(on_done);
    let mut utterances = Vec::new();
    let mut handlers: Vec<Closure<dyn FnMut()>> = Vec::new();
    let last = sentences.len().saturating_sub(1);
    for (i, sentence) in sentences.iter().enumerate() {
        let utterance = SpeechSynthesisUtterance::new_with_text(sentence)
            .map_err(|_| "Vorlesen lässt sich nicht starten.".to_string())?;
        utterance.set_lang(LANG);
        utterance.set_rate(RATE);
        if let Some(v) = &voice {
            utterance.set_voice(Some(v));
        }
        let started = on_sentence.clone();
        let start = Closure::<dyn FnMut()>::new(move || started(i));
        utterance.set_onstart(Some(start.as_ref().unchecked_ref()));
        handlers.push(start);
        // A failed sentence ends the reading; the rest would be read out of context.
        let failed = on_done.clone();
        let error = Closure::<dyn FnMut()>::new(move || {
            stop();
            failed();
        });
        utterance.set_onerror(Some(error.as_ref().unchecked_ref()));
        handlers.push(error);
        if i == last {
            let ended = on_done.clone();
            let end = Closure::<dyn FnMut()>::new(move || {
                detach();
                ended();
            });
            utterance.set_onend(Some(end.as_ref().unchecked_ref()));
            handlers.push(end);
        }
        utterances.push(utterance);
    }
    for utterance in &utterances {
        synthesis.speak(utterance);
    }
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(Reading {
            utterances,
            _handlers: handlers,
        })
    });
    Ok(())
}

/// Stops reading (no callback of the stopped reading runs afterwards).
pub fn stop() {
    let had = detach();
    if had {
        if let Some(s) = synthesis() {
            s.cancel();
        }
    }
}

/// Takes the handlers off the current reading's utterances and forgets it. The handlers are
/// dropped only after the next turn of the event loop: the one running now may be among them.
fn detach() -> bool {
    let Some(reading) = CURRENT.with(|c| c.borrow_mut().take()) else {
        return false;
    };
    for u in &reading.utterances {
        u.set_onstart(None);
        u.set_onend(None);
        u.set_onerror(None);
    }
    wasm_bindgen_futures::spawn_local(async move {
        let _keep = reading;
    });
    true
}
