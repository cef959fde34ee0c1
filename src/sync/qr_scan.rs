//! Reading a QR code with the device's camera.
//!
//! The camera's picture is shown in a `<video>`; a few times a second its current frame is
//! read. Where the browser has a `BarcodeDetector` that knows QR codes (Android, macOS,
//! ChromeOS), it reads the frame; elsewhere the QR reader worker (src/bin/qr-reader.rs, `rqrr`)
//! does, started with the camera and ended with it: the app's own wasm carries no QR decoder.
//! The picture never leaves the device and is not kept: each frame is dropped once read.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MessageEvent, Worker,
};

/// How often a frame is read.
const EVERY_MS: u64 = 250;

/// A running camera; stops when dropped.
pub struct Scanner {
    stream: MediaStream,
    interval: Option<IntervalHandle>,
    _reader: Reader,
}

/// What reads the frames.
#[derive(Clone)]
enum Reader {
    /// The browser's `BarcodeDetector`.
    Browser(JsValue),
    /// The QR reader worker.
    Worker(Rc<FrameWorker>),
}

impl Drop for Scanner {
    fn drop(&mut self) {
        if let Some(i) = self.interval.take() {
            i.clear();
        }
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

/// Why the camera could not be used, in German.
fn camera_error(e: &JsValue) -> String {
    let name = js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "Die Kamera ist nicht freigegeben. Bitte erlauben Sie der App die Kamera.".into()
        }
        "NotFoundError" | "OverconstrainedError" => "Dieses Gerät hat keine Kamera.".into(),
        "NotReadableError" => "Die Kamera wird gerade von einer anderen App benutzt.".into(),
        _ => "Die Kamera lässt sich nicht einschalten.".into(),
    }
}

/// Starts the camera into `video` and calls `found` with the text of each QR code read
/// (the caller decides when it has what it needs and drops the scanner). `failed` hears, in
/// German, of a failure after the start (the reader's worker did not load).
pub async fn start(
    video: HtmlVideoElement,
    found: impl Fn(String) + 'static,
    failed: impl Fn(String) + 'static,
) -> Result<Scanner, String> {
    let found: Rc<dyn Fn(String)> = Rc::new(found);
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or("Dieser Browser kann die Kamera nicht benutzen.")?;
    let constraints = MediaStreamConstraints::new();
    let video_constraints = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &video_constraints,
        &JsValue::from_str("facingMode"),
        &JsValue::from_str("environment"),
    );
    constraints.set_video(&video_constraints);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| camera_error(&e))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| camera_error(&e))?
        .dyn_into()
        .map_err(|_| "Die Kamera lässt sich nicht einschalten.".to_string())?;
    video.set_src_object(Some(&stream));
    video.set_muted(true);
    let _ = video.play();
    let reader = match barcode_detector() {
        Some(detector) => Reader::Browser(detector),
        None => Reader::Worker(FrameWorker::start(found.clone(), failed)?),
    };
    let busy = Rc::new(RefCell::new(false));
    let interval = set_interval_with_handle(
        {
            let video = video.clone();
            let reader = reader.clone();
            move || {
                if *busy.borrow() || video.video_width() == 0 {
                    return;
                }
                match &reader {
                    Reader::Browser(detector) => {
                        *busy.borrow_mut() = true;
                        let (detector, video, busy, found) =
                            (detector.clone(), video.clone(), busy.clone(), found.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Some(text) = detect(&detector, &video).await {
                                found(text);
                            }
                            *busy.borrow_mut() = false;
                        });
                    }
                    Reader::Worker(worker) => worker.offer(&video),
                }
            }
        },
        Duration::from_millis(EVERY_MS),
    )
    .ok();
    Ok(Scanner {
        stream,
        interval,
        _reader: reader,
    })
}

/// The browser's own QR reader, if it has one.
fn barcode_detector() -> Option<JsValue> {
    let window = web_sys::window()?;
    let class = js_sys::Reflect::get(&window, &JsValue::from_str("BarcodeDetector")).ok()?;
    let class: js_sys::Function = class.dyn_into().ok()?;
    let options = js_sys::Object::new();
    let formats = js_sys::Array::of1(&JsValue::from_str("qr_code"));
    js_sys::Reflect::set(&options, &JsValue::from_str("formats"), &formats).ok()?;
    js_sys::Reflect::construct(&class, &js_sys::Array::of1(&options)).ok()
}

async fn detect(detector: &JsValue, video: &HtmlVideoElement) -> Option<String> {
    let detect = js_sys::Reflect::get(detector, &JsValue::from_str("detect")).ok()?;
    let detect: js_sys::Function = detect.dyn_into().ok()?;
    let promise: js_sys::Promise = detect.call1(detector, video).ok()?.dyn_into().ok()?;
    let codes: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let first = codes.get(0);
    js_sys::Reflect::get(&first, &JsValue::from_str("rawValue"))
        .ok()?
        .as_string()
}

/// The QR reader worker and what it is doing; the worker ends when this is dropped.
pub struct FrameWorker {
    worker: Worker,
    /// Not ready yet, or reading a frame: the next frame waits (frames are not queued).
    busy: Rc<Cell<bool>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl FrameWorker {
    /// Starts the worker; `found` gets each code's text it reads, `failed` hears when the
    /// worker does not load (its files missing from this device: an update half done).
    fn start(
        found: Rc<dyn Fn(String)>,
        failed: impl Fn(String) + 'static,
    ) -> Result<Rc<Self>, String> {
        const NOT_STARTED: &str = "Das Lesen von QR-Codes lässt sich nicht starten.";
        let worker = Worker::new(&worker_url()).map_err(|_| NOT_STARTED.to_string())?;
        // Loading happens after `new`: a script that is not there shows up here, and the
        // camera would otherwise look at codes that nobody reads.
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            failed(format!(
                "{NOT_STARTED} Laden Sie die Seite neu, wenn das Gerät wieder Internet hat."
            ));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let busy = Rc::new(Cell::new(true));
        let on_message = Closure::<dyn Fn(MessageEvent)>::new({
            let busy = busy.clone();
            move |event: MessageEvent| {
                busy.set(false);
                let text = js_sys::Reflect::get(&event.data(), &JsValue::from_str("text"))
                    .ok()
                    .and_then(|t| t.as_string());
                if let Some(text) = text {
                    found(text);
                }
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Rc::new(FrameWorker {
            worker,
            busy,
            _on_message: on_message,
            _on_error: on_error,
        }))
    }

    /// Hands the video's current frame to the worker, unless it is still busy.
    fn offer(&self, video: &HtmlVideoElement) {
        if self.busy.get() {
            return;
        }
        let Some((frame, buffer)) = frame_of(video) else {
            return;
        };
        let transfer = js_sys::Array::of1(&buffer);
        if self
            .worker
            .post_message_with_transfer(&frame, &transfer)
            .is_ok()
        {
            self.busy.set(true);
        }
    }
}

impl Drop for FrameWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Where the worker's loader is: the build names it with a hash of its content in a `<meta>`
/// of index.html (xtask/src/build.rs), so that a new version is never mixed with an old one.
fn worker_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=dreieck-qr-reader]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "/qr-reader_loader.js".to_string())
}

/// The video's current frame as `{ width, height, pixels }` (RGBA) and the buffer to hand
/// over: the pixels go to the worker without a copy and without passing through this wasm.
fn frame_of(video: &HtmlVideoElement) -> Option<(js_sys::Object, JsValue)> {
    let (w, h) = (video.video_width(), video.video_height());
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_html_video_element(video, 0.0, 0.0)
        .ok()?;
    let image = context
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .ok()?;
    let pixels = js_sys::Reflect::get(&image, &JsValue::from_str("data")).ok()?;
    let buffer = js_sys::Reflect::get(&pixels, &JsValue::from_str("buffer")).ok()?;
    let frame = js_sys::Object::new();
    js_sys::Reflect::set(&frame, &JsValue::from_str("width"), &JsValue::from(w)).ok()?;
    js_sys::Reflect::set(&frame, &JsValue::from_str("height"), &JsValue::from(h)).ok()?;
    js_sys::Reflect::set(&frame, &JsValue::from_str("pixels"), &pixels).ok()?;
    Some((frame, buffer))
}
