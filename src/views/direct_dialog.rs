//! "Ohne Internet verbinden": two devices in one room with no server (a home visit, a tablet's
//! hotspot) find their direct channel by showing and scanning QR codes in turn. One shows its
//! offer, the other scans it and shows its answer, the first scans that. The codes are sealed
//! under the report's key (`dreieck_sync::direct::Card`): a code of another report does not
//! open, and nobody without the report learns anything from a photo of it.

use std::cell::RefCell;
use std::rc::Rc;

use dreieck_texts::Texts;
use leptos::html::{Dialog, Video};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::sync::direct::Scanned;
use crate::sync::link::Link;
use crate::sync::qr_scan::{self, Scanner};
use crate::views::qr_code::qr_svg;
use dreieck_session::status::Path;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Choose,
    /// This device shows its offer.
    ShowOffer,
    /// The camera reads the other device's code (`true`: the answer to this device's offer).
    Scan {
        answer: bool,
    },
    /// This device shows its answer to the offer it scanned.
    ShowAnswer,
}

struct Words {
    intro: &'static str,
    show: &'static str,
    scan: &'static str,
    show_offer: &'static str,
    scan_answer: &'static str,
    scanning: &'static str,
    show_answer: &'static str,
    connected: &'static str,
}

fn words(t: &'static Texts) -> Words {
    Words {
        intro: t.direct_intro,
        show: t.direct_show,
        scan: t.direct_scan,
        show_offer: t.direct_show_offer,
        scan_answer: t.direct_scan_answer,
        scanning: t.direct_scanning,
        show_answer: t.direct_show_answer,
        connected: t.direct_connected,
    }
}

#[component]
pub fn DirectButton(link: Link) -> impl IntoView {
    let app = use_app();
    let dialog = NodeRef::<Dialog>::new();
    let video = NodeRef::<Video>::new();
    let step = RwSignal::new(Step::Choose);
    // This device's code (offer or answer), once the browser has described its side.
    let code = ArcRwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let connected = {
        let status = link.status.clone();
        Memo::new(move |_| status.with(|s| s.path() == Path::Direct))
    };
    let link = StoredValue::new_local(link);
    let scanner = StoredValue::new_local(None::<Scanner>);
    let directs = move || {
        let directs = link.with_value(Link::directs);
        if directs.is_none() {
            error.set(Some(app.texts_now().direct_off.into()));
        }
        directs
    };

    let stop_camera = move || scanner.set_value(None);
    let open = move |_| {
        step.set(Step::Choose);
        error.set(None);
        if let Some(el) = dialog.get() {
            if el.show_modal().is_err() {
                el.set_open(true);
            }
        }
    };
    let close = move |_| {
        stop_camera();
        if let Some(el) = dialog.get() {
            el.close();
        }
    };
    let show = {
        let code = code.clone();
        move |_| {
            error.set(None);
            code.set(None);
            let Some(directs) = directs() else { return };
            match directs.show_offer(code.clone()) {
                Ok(()) => step.set(Step::ShowOffer),
                Err(e) => error.set(Some(e)),
            }
        }
    };
    // Starts the camera; each code read goes to the link's direct channels.
    let scan = {
        let code = code.clone();
        move |answer: bool| {
            error.set(None);
            step.set(Step::Scan { answer });
            let Some(directs) = directs() else { return };
            let code = code.clone();
            // The video element is in the view once the step shows.
            request_animation_frame(move || {
                let Some(el) = video.get_untracked() else {
                    return;
                };
                let taken = Rc::new(RefCell::new(false));
                let found = move |text: String| {
                    if *taken.borrow() {
                        return;
                    }
                    match directs.scanned(&text, code.clone()) {
                        Ok(Scanned::Offer) => step.set(Step::ShowAnswer),
                        Ok(Scanned::Answer) => step.set(Step::ShowOffer),
                        Err(e) => {
                            error.set(Some(e));
                            return;
                        }
                    }
                    *taken.borrow_mut() = true;
                    error.set(None);
                    // Not dropped inside its own timer: after this task.
                    leptos::task::spawn_local(async move { scanner.set_value(None) });
                };
                // The reader did not load after all: said, and the camera goes off.
                let failed = move |e: String| {
                    error.set(Some(e));
                    leptos::task::spawn_local(async move { scanner.set_value(None) });
                };
                leptos::task::spawn_local(async move {
                    match qr_scan::start(el, found, failed).await {
                        Ok(s) => scanner.set_value(Some(s)),
                        Err(e) => error.set(Some(e)),
                    }
                });
            });
        }
    };
    let scan_offer = {
        let scan = scan.clone();
        move |_| scan(false)
    };
    let scan_answer = move |_| scan(true);
    let shown_code = {
        let code = code.clone();
        move || code.get()
    };

    view! {
        <button class="button" id="ohne-internet" on:click=open>
            {move || app.texts().direct_button}
        </button>
        <dialog
            node_ref=dialog
            class="direct-dialog"
            aria-labelledby="direkt-titel"
            on:close=move |_| stop_camera()
        >
            <h2 id="direkt-titel">{move || app.texts().direct_button}</h2>
            {move || {
                let w = words(app.texts());
                match step.get() {
                    Step::Choose => view! {
                        <div class="direct-choose">
                            {w.intro.lines().map(|l| view! { <p>{l}</p> }).collect_view()}
                            <div class="confirm-actions">
                                <button class="button" on:click=show.clone()>{w.show}</button>
                                <button class="button" on:click=scan_offer.clone()>{w.scan}</button>
                            </div>
                        </div>
                    }
                        .into_any(),
                    Step::ShowOffer | Step::ShowAnswer => {
                        let lines = if step.get() == Step::ShowOffer { w.show_offer } else { w.show_answer };
                        let offer = step.get() == Step::ShowOffer;
                        let shown_code = shown_code.clone();
                        view! {
                            <div class="direct-show">
                                {lines.lines().map(|l| view! { <p>{l}</p> }).collect_view()}
                                {move || match shown_code() {
                                    Some(text) => {
                                        let svg = qr_svg(&text).unwrap_or_default();
                                        view! {
                                            <div
                                                class="qr-code direct-code"
                                                role="img"
                                                aria-label=app.texts().direct_code_label
                                                data-code=text
                                                inner_html=svg
                                            ></div>
                                        }
                                            .into_any()
                                    }
                                    None => view! { <p class="message">{app.texts().direct_code_making}</p> }.into_any(),
                                }}
                                {offer.then(|| view! {
                                    <button class="button" on:click=scan_answer.clone()>{w.scan_answer}</button>
                                })}
                            </div>
                        }
                            .into_any()
                    }
                    Step::Scan { .. } => view! {
                        <div class="direct-scan">
                            {w.scanning.lines().map(|l| view! { <p>{l}</p> }).collect_view()}
                            <video node_ref=video class="camera" aria-label=app.texts().direct_camera playsinline=true></video>
                        </div>
                    }
                        .into_any(),
                }
            }}
            <p class="direct-state" role="status">
                {move || connected.get().then(|| words(app.texts()).connected)}
            </p>
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
            <div class="confirm-actions">
                <button class="button primary" on:click=close>{move || app.texts().done}</button>
            </div>
        </dialog>
    }
}
