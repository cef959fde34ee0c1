//! The executor of the session's machines: writes to IndexedDB what `Autosave` asks for,
//! applies peers' keystrokes when `Deferral` says so, and keeps one `setTimeout` armed for the
//! earliest deadline of all of them.

use dreieck::storage::Summary;
use dreieck_model::Report;
use dreieck_session::autosave::{Job, Outcome, Source, Wake};
use leptos::prelude::*;
// The writer needs no reactive owner (it holds the session itself), and this spawner works
// before and without a mounted Leptos app, as in the browser tests.
use wasm_bindgen_futures::spawn_local;

use super::{set_if_changed, SaveStatus, Session};
use crate::state::platform::now_ms;
use crate::state::summary::summary_of;

/// The report as the writer's source of full saves and summaries.
struct Writing<'a> {
    report: &'a mut Report,
    title_field: Option<&'a str>,
    now: f64,
}

impl Source<Summary> for Writing<'_> {
    fn full_save(&mut self) -> Vec<u8> {
        self.report.save()
    }

    fn summary(&mut self) -> Summary {
        summary_of(self.report, self.title_field, self.now)
    }
}

impl Session {
    /// Starts the writer unless one is running; it drains everything pending, one write at a
    /// time, and stops at the first error (keeping the bytes).
    pub(super) fn pump(&self) {
        let start = self.inner.borrow_mut().autosave.start(now_ms());
        if start {
            let session = self.clone();
            spawn_local(async move { session.drain().await });
        }
        self.rearm();
    }

    async fn drain(self) {
        while let Some(job) = self.next_job() {
            if let (Job::Compact { bytes, .. }, Some(link)) = (&job, self.link()) {
                // The same full save can serve as the relay's snapshot, if one is waiting —
                // unless peers' changes shown ahead are not in it (a compaction forced at the
                // limit does not wait for them): a snapshot must hold all the link applied.
                if self.live.borrow().held.is_empty() {
                    link.offer_save(bytes);
                }
            }
            set_if_changed(&self.title, job.summary().title.clone());
            if !job.summary_only() {
                set_if_changed(&self.status, SaveStatus::Saving);
            }
            let (store, id) = {
                let inner = self.inner.borrow();
                (inner.store.clone(), inner.id.clone())
            };
            let outcome = match job {
                Job::Append { bytes, summary } => match store.append(&id, &bytes, &summary).await {
                    Ok(seq) => Ok(Outcome::Appended { seq }),
                    Err(e) => Err((
                        e,
                        Outcome::AppendFailed {
                            // The store keeps a failed chunk itself and writes it in front of
                            // the next append.
                            kept_by_store: store.unsaved_bytes(&id) >= bytes.len(),
                            bytes,
                        },
                    )),
                },
                Job::Compact {
                    bytes,
                    summary,
                    covered,
                } => match store.compact_own(&id, &bytes, &summary, covered).await {
                    Ok(()) => Ok(Outcome::Compacted),
                    Err(e) => Err((e, Outcome::CompactFailed)),
                },
            };
            let (outcome, error) = match outcome {
                Ok(outcome) => (outcome, None),
                Err((e, outcome)) => (outcome, Some(e)),
            };
            let go_on = self.inner.borrow_mut().autosave.finished(outcome, now_ms());
            self.rearm();
            if !go_on {
                let (reason, plain) = error
                    .map(|e| (e.to_string(), e.plain()))
                    .unwrap_or_default();
                self.status.set(SaveStatus::Failed { reason, plain });
                return;
            }
        }
        // "gespeichert" follows when the writes have rested (Wake::Saved).
        self.rearm();
        self.forget_if_done();
    }

    /// Takes the next write out of the session, or marks the writer idle when there is none.
    fn next_job(&self) -> Option<Job<Summary>> {
        if self.gone.get() {
            return None;
        }
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let now = now_ms();
        let mut source = Writing {
            report: &mut inner.report,
            title_field: inner.title_field.as_deref(),
            now,
        };
        inner.autosave.next_job(now, &mut source)
    }

    /// Writes what waits now (keystrokes wait to be written together, peers' keystrokes shown
    /// ahead wait to be applied): the page is being left, the editor closed, or the person
    /// asked to try again.
    pub fn write_now(&self) {
        self.flush_live();
        self.inner.borrow_mut().autosave.write_now();
        self.pump();
    }

    /// The next write works out the summary afresh (the case list is about to show it).
    pub(super) fn summary_now(&self) {
        self.inner.borrow_mut().autosave.summary_now();
        self.rearm();
    }

    /// Bumps [`super::Parts::changes`] a moment after the first change since the last bump.
    /// Typing and peers' keystrokes go through here: the views that follow every change (the
    /// case status, signature lines, the member list) verify signatures and rebuild their
    /// markup, which must not sit between two keystrokes.
    pub(super) fn changed_soon(&self) {
        self.inner.borrow_mut().changes_pacer.hit(now_ms());
        self.rearm();
    }

    /// Keeps the one timeout armed for the earliest deadline of the session's machines
    /// (re-armed only when that deadline moved).
    pub(super) fn rearm(&self) {
        let next = {
            let inner = self.inner.borrow();
            let live = self.live.borrow();
            [
                inner.autosave.next_deadline(),
                inner.changes_pacer.next_deadline(),
                live.held.next_deadline(),
            ]
            .into_iter()
            .flatten()
            .reduce(f64::min)
        };
        let mut wake = self.wake.borrow_mut();
        if wake.1 == next && (next.is_none() || wake.0.is_armed()) {
            return;
        }
        wake.1 = next;
        let Some(at) = next else {
            wake.0.cancel();
            return;
        };
        let weak = self.downgrade();
        let delay = (at - now_ms()).max(0.0).ceil() as u64;
        let armed = wake.0.arm(delay, move || {
            if let Some(session) = weak.upgrade() {
                {
                    let mut wake = session.wake.borrow_mut();
                    wake.0.fired();
                    wake.1 = None;
                }
                session.woken(now_ms().max(at));
            }
        });
        if !armed {
            // No timer from the browser: act now rather than never.
            drop(wake);
            self.woken(at);
        }
    }

    /// A deadline came: does what each machine asks for at `now`.
    fn woken(&self, now: f64) {
        if self.live.borrow().held.due(now) {
            self.flush_live();
        }
        if self.inner.borrow_mut().changes_pacer.fire(now) {
            self.changes.update(|r| *r += 1);
        }
        let wakes = self.inner.borrow_mut().autosave.tick(now);
        for wake in wakes {
            match wake {
                Wake::Compact => self.compact(),
                Wake::Write => self.pump(),
                Wake::Saved => set_if_changed(&self.status, SaveStatus::Saved),
            }
        }
        self.rearm();
    }
}
