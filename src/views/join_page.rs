//! `#/einladung/...`: joins a shared report, then opens it in the editor.
//!
//! A protected report's link first asks the inviting device (which must be online) and
//! waits for its answer; a link from before membership names the room itself. A link for a
//! report this device already has opens it at once only when it names no room or the room
//! and key the device uses; any other asks first ([`LinkConflict`]). Whichever way the report
//! opens, its route replaces the link in the history, so neither the address bar nor Back
//! shows the key.

use std::rc::Rc;

use dreieck::storage::ReportStore;
use dreieck_session::status::State;
use dreieck_texts::Texts;
use dreieck_texts::{around, fill};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::{replace, Route};
use crate::state::app_context::{use_app, AppContext};
use crate::state::joining::{self, Answer, Joining};
use crate::state::summary::display_title;
use crate::sync::invitation::{Access, Fit, Invitation};
use crate::sync::rendezvous::Rendezvous;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::link_conflict::LinkConflict;
use crate::views::role_select::role_name;
use dreieck_model::trust::Declined;
use dreieck_model::Role;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Checking,
    /// Asking the inviting device in the invitation's rendezvous room.
    Waiting,
    Joining,
    /// The device has the report and the link names another room or key (or any, while the
    /// report is not shared): the person chooses. The string names the report.
    Choosing(Fit, String),
    Failed(Trouble, String),
}

/// Why a join failed, for the text in Leichte Sprache (the standard text says it exactly).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Trouble {
    /// The link cannot be read, or is of an old kind.
    BadLink,
    /// The inviting device admits nobody more through this link.
    Declined(Declined),
    /// The report moved after the link was made.
    Outdated,
    /// The link's room holds another report, or one this device cannot take.
    NotThisReport,
    /// The device could not store the report or its room.
    NotStored,
    /// The relay holds the report no more: deleted for everyone.
    Deleted,
    /// Fetching back: the device no longer knows the report's room.
    NoWayBack,
}

impl Trouble {
    /// A sentence a line (LEICHTE-SPRACHE.md): what happened, and what the person can do.
    fn plain(self) -> &'static str {
        let t = &dreieck_texts::plain::PLAIN;
        match self {
            Trouble::BadLink => t.trouble_bad_link,
            Trouble::Declined(why) => why.plain(),
            Trouble::Outdated => t.trouble_outdated,
            Trouble::NotThisReport => t.trouble_not_this,
            Trouble::NotStored => t.trouble_not_stored,
            Trouble::Deleted => t.trouble_deleted,
            Trouble::NoWayBack => t.trouble_no_way_back,
        }
    }
}

/// Where the page's invitation comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A link: the rest of its path after `#/einladung/`.
    Link(String),
    /// A report this device took off itself, by id: fetched back from the room it kept.
    Kept(String),
}

#[component]
pub fn JoinPage(source: Source) -> impl IntoView {
    let app = use_app();
    let step = RwSignal::new(Step::Checking);
    let sync_state = RwSignal::new(State::Connecting);
    let joining = StoredValue::new_local(None::<Joining>);
    let rendezvous = StoredValue::new_local(None::<Rendezvous>);
    // The parsed link, for the choice while asking and for the answer while waiting.
    let asked = StoredValue::new(None::<Invitation>);
    // Waited longer than an inviting device that is online needs to answer.
    let long_wait = RwSignal::new(false);

    let fetching_back = matches!(source, Source::Kept(_));
    let invitation = match &source {
        Source::Link(rest) => {
            Invitation::parse(rest).map_err(|message| (Trouble::BadLink, message.to_string()))
        }
        Source::Kept(id) => joining::kept_invitation(id, app.role.get_untracked())
            .map_err(|message| (Trouble::NoWayBack, message)),
    };
    match invitation {
        Err((trouble, message)) => step.set(Step::Failed(trouble, message)),
        Ok(invitation) => {
            spawn_local(async move {
                let Some(store) = app.store() else { return };
                match joining::already_here(&store, &invitation).await {
                    Err(e) => {
                        let _ = step.try_set(Step::Failed(Trouble::NotStored, e));
                    }
                    Ok(true) => match joining::fit(&invitation) {
                        // A link that names no room only opens the report: "Meine Rolle"
                        // stays what the people at this device chose.
                        Fit::Same => {
                            if matches!(invitation.access, Access::Room { .. }) {
                                app.set_role(invitation.role);
                            }
                            open_report(app, invitation.report_id, invitation.role);
                        }
                        fit => {
                            let name = report_name(&store, &invitation.report_id).await;
                            asked.set_value(Some(invitation));
                            let _ = step.try_set(Step::Choosing(fit, name));
                        }
                    },
                    Ok(false) => match &invitation.access {
                        Access::Ask { secret, .. } => match joining::ask(&invitation, secret) {
                            Ok(r) => {
                                rendezvous.set_value(Some(r));
                                asked.set_value(Some(invitation));
                                let _ = step.try_set(Step::Waiting);
                                set_timeout(
                                    move || {
                                        let _ = long_wait.try_set(true);
                                    },
                                    LONG_WAIT,
                                );
                            }
                            Err(e) => {
                                let _ = step.try_set(Step::Failed(Trouble::NotStored, e));
                            }
                        },
                        Access::Room { .. } => {
                            app.set_role(invitation.role);
                            let role = app.role;
                            let j = joining::start(
                                &invitation,
                                None,
                                Rc::new(move || role.get_untracked()),
                            );
                            joining.set_value(j);
                            let _ = step.try_set(Step::Joining);
                        }
                    },
                }
            });
        }
    }
    // Created here, in the component's reactive owner (not in the task above, which has none);
    // they start following when `step` says so.
    wait_for_answer(step, sync_state, rendezvous, joining, asked);
    watch(step, sync_state, joining);
    on_cleanup(move || {
        if let Some(Some(j)) = joining.try_update_value(Option::take) {
            j.link.close();
        }
        if let Some(Some(r)) = rendezvous.try_update_value(Option::take) {
            r.close();
        }
    });

    // Nothing from the link is used: not its room and key, not its role.
    let keep = Callback::new(move |()| {
        if let Some(Some(inv)) = asked.try_get_value() {
            replace(&Route::opening(app.role.get_untracked(), inv.report_id));
        }
    });
    // The person chose the link: its room and key replace the ones the report had.
    let use_link = Callback::new(move |()| {
        let Some(Some(inv)) = asked.try_get_value() else {
            return;
        };
        match joining::adopt(&inv) {
            Ok(()) => {
                app.set_role(inv.role);
                open_report(app, inv.report_id, inv.role);
            }
            Err(e) => step.set(Step::Failed(
                Trouble::NotStored,
                fill(app.texts_now().join_not_stored, &e.to_string()),
            )),
        }
    });

    view! {
        <div class="page join-page">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || if fetching_back { app.texts().join_fetch_title } else { app.texts().join_title }}
            </h1>
            {move || match step.get() {
                Step::Checking => view! {
                    <p class="message" role="status">
                        {move || if fetching_back { app.texts().join_preparing } else { app.texts().join_checking }}
                    </p>
                }.into_any(),
                Step::Choosing(fit, name) => view! {
                    <LinkConflict fit=fit report=name on_keep=keep on_use=use_link />
                }.into_any(),
                Step::Failed(trouble, reason) => {
                    let text = if app.plain.get() {
                        trouble.plain().lines().map(|line| view! { <p>{line}</p> }).collect_view().into_any()
                    } else {
                        view! { <p>{reason}</p> }.into_any()
                    };
                    view! {
                        <div class="message error" role="alert">{text}</div>
                        <p><a href=Route::CaseList.href()>{app.texts().join_to_list}</a></p>
                    }.into_any()
                }
                Step::Waiting => {
                    let role = asked.get_value().map(|inv| inv.role);
                    view! {
                        {role.map(|role| view! {
                            <p class="invited-as">
                                {move || around(app.texts().join_invited_as).0}
                                <strong>{move || role_name(app.texts(), role)}</strong>
                            </p>
                        })}
                        <div class="message" role="status" data-state=move || sync_state.get().code()>
                            {move || {
                                let t = app.texts();
                                let lines = match sync_state.get() {
                                    State::Connecting => t.join_connecting,
                                    State::Synced => t.join_waiting,
                                    State::NoNetwork => t.join_no_network,
                                    State::Unreachable => t.join_unreachable,
                                    State::Refused(reason) => return view! { <p>{app.shown(&reason)}</p> }.into_any(),
                                };
                                lines.lines().map(|line| view! { <p>{line}</p> }).collect_view().into_any()
                            }}
                        </div>
                        // Nobody answers although this device reached the server: say what may
                        // be wrong and what to do (not announced: the state above is).
                        <Show when=move || long_wait.get() && sync_state.get() == State::Synced>
                            <div class="message long-wait">
                                {move || long_wait_lines(app.texts()).lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                            </div>
                        </Show>
                    }.into_any()
                }
                Step::Joining => view! {
                    <p class="message" role="status" data-state=move || sync_state.get().code()>
                        {move || {
                            let t = app.texts();
                            match sync_state.get() {
                                State::Connecting => t.join_report_connecting.to_string(),
                                State::Synced if fetching_back => t.join_fetching.to_string(),
                                State::Synced => t.join_waiting_data.to_string(),
                                State::NoNetwork => t.join_no_network.to_string(),
                                State::Unreachable => t.join_unreachable.to_string(),
                                State::Refused(reason) => app.shown(&reason),
                            }
                        }}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

/// How long the join page waits for the inviting device before it says what may be wrong:
/// an inviting device that is open and online answers within seconds.
const LONG_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// What the join page says when nobody answers for [`LONG_WAIT`].
fn long_wait_lines(t: &'static Texts) -> &'static str {
    t.join_long_wait
}

/// Follows the rendezvous while waiting: its sync state for the page, and the inviting
/// device's answer: admitted, the join goes on in the report's room; declined, the page says
/// why.
fn wait_for_answer(
    step: RwSignal<Step>,
    sync_state: RwSignal<State>,
    rendezvous: StoredValue<Option<Rendezvous>, LocalStorage>,
    joining: StoredValue<Option<Joining>, LocalStorage>,
    asked: StoredValue<Option<Invitation>>,
) {
    let app = use_app();
    Effect::new(move |_| {
        if step.get() != Step::Waiting {
            return;
        }
        let heard = rendezvous
            .try_with_value(|r| {
                r.as_ref().map(|r| {
                    r.revision();
                    r.link.status.with(|s| s.state.clone())
                })
            })
            .flatten();
        let Some(state) = heard else { return };
        sync_state.set(state);
        let Some(Some(invitation)) = asked.try_get_value() else {
            return;
        };
        let answer = rendezvous
            .try_with_value(|r| r.as_ref().and_then(|r| joining::answer(&invitation, r)))
            .flatten();
        let Some(answer) = answer else { return };
        if let Some(Some(r)) = rendezvous.try_update_value(Option::take) {
            r.close();
        }
        match answer {
            Answer::Declined(why) => {
                step.set(Step::Failed(
                    Trouble::Declined(why),
                    why.message().to_string(),
                ));
            }
            Answer::Admitted(grant) => {
                app.set_role(invitation.role);
                let role = app.role;
                let j = joining::start(
                    &invitation,
                    Some(*grant),
                    Rc::new(move || role.get_untracked()),
                );
                joining.set_value(j);
                sync_state.set(State::Connecting);
                step.set(Step::Joining);
            }
        }
    });
}

/// Follows the join: its sync state for the page, and the moment the report is complete,
/// when it is stored and opened.
fn watch(
    step: RwSignal<Step>,
    sync_state: RwSignal<State>,
    joining: StoredValue<Option<Joining>, LocalStorage>,
) {
    let app = use_app();
    Effect::new(move |_| {
        if step.get() != Step::Joining {
            return;
        }
        let state = joining
            .try_with_value(|j| {
                j.as_ref().map(|j| {
                    j.gathered.revision.track();
                    j.link.status.with(|s| s.state.clone())
                })
            })
            .flatten();
        let Some(state) = state else { return };
        sync_state.set(state);
        let ready = joining
            .try_with_value(|j| j.as_ref().and_then(Joining::ready))
            .flatten();
        let Some(ready) = ready else { return };
        let Some(Some(j)) = joining.try_update_value(Option::take) else {
            return;
        };
        let invited = j.role;
        let report = match ready {
            Ok(report) => report,
            Err(why) if why == joining::DELETED => {
                j.link.close();
                let _ = step.try_set(Step::Failed(Trouble::Deleted, why));
                return;
            }
            Err(why) => {
                j.link.close();
                let _ = step.try_set(Step::Failed(
                    Trouble::NotThisReport,
                    format!("Der Bericht unter diesem Link kann nicht übernommen werden: {why}"),
                ));
                return;
            }
        };
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            match j.finish(&store, report).await {
                Ok(id) => {
                    // Back on the device: no longer kept only at the relay (a failure here
                    // leaves an entry the case list drops, as the report is here).
                    let _ = dreieck::storage::kept::remove(&id);
                    open_report(app, id, invited);
                }
                Err(e) if e == joining::OUTDATED => {
                    let _ = step.try_set(Step::Failed(Trouble::Outdated, e));
                }
                Err(e) => {
                    let _ = step.try_set(Step::Failed(
                        Trouble::NotStored,
                        format!(
                            "Der Bericht konnte auf diesem Gerät nicht gespeichert werden: {e}"
                        ),
                    ));
                }
            }
        });
    });
}

/// The report as the case list names it: "Bericht: <name> – <form>"; "" when unknown.
async fn report_name(store: &ReportStore, id: &str) -> String {
    let summaries = store.summaries().await.unwrap_or_default();
    summaries
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| format!("Bericht: {} – {}", display_title(&s.title), s.template_name))
        .unwrap_or_default()
}

/// Opens a report after its invitation. An invitation for the person supported opens their
/// own view in Leichte Sprache (the header's switch turns it off, and that choice is kept like
/// any other); staff get the whole form. The route replaces the link (see the module docs).
fn open_report(app: AppContext, id: String, invited: Role) {
    let role = app.role.get_untracked();
    if invited == Role::Beneficiary && role == Role::Beneficiary {
        app.set_plain(true);
    }
    replace(&Route::opening(role, id));
}
