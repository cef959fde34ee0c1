//! `#/einladung/...`: joins a shared report, then opens it in the editor.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::{navigate, Route};
use crate::state::app_context::use_app;
use crate::state::joining::{self, Joining};
use crate::sync::invitation::Invitation;
use crate::sync::status::State;
use crate::views::app_shell::PAGE_TITLE_ID;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Checking,
    Joining,
    Failed(String),
}

#[component]
pub fn JoinPage(rest: String) -> impl IntoView {
    let app = use_app();
    let step = RwSignal::new(Step::Checking);
    let sync_state = RwSignal::new(State::Connecting);
    let joining = StoredValue::new_local(None::<Joining>);

    match Invitation::parse(&rest) {
        Err(message) => step.set(Step::Failed(message.to_string())),
        Ok(invitation) => {
            spawn_local(async move {
                let Some(store) = app.store() else { return };
                match joining::already_here(&store, &invitation).await {
                    Err(e) => {
                        let _ = step.try_set(Step::Failed(e));
                    }
                    Ok(true) => match joining::adopt(&invitation) {
                        Ok(()) => {
                            app.set_role(invitation.role);
                            navigate(&Route::Report(invitation.report_id));
                        }
                        Err(e) => {
                            let _ = step.try_set(Step::Failed(e));
                        }
                    },
                    Ok(false) => {
                        app.set_role(invitation.role);
                        let role = app.role;
                        let j = joining::start(invitation, Rc::new(move || role.get_untracked()));
                        joining.set_value(Some(j));
                        let _ = step.try_set(Step::Joining);
                    }
                }
            });
        }
    }
    // Created here, in the component's reactive owner (not in the task above, which has none);
    // it starts following the join when `step` says it has started.
    watch(step, sync_state, joining);
    on_cleanup(move || {
        if let Some(Some(j)) = joining.try_update_value(Option::take) {
            j.link.close();
        }
    });

    view! {
        <div class="page join-page">
            <h1 id=PAGE_TITLE_ID tabindex="-1">"Einladung zu einem Bericht"</h1>
            {move || match step.get() {
                Step::Checking => view! { <p class="message" role="status">"Einladung wird geprüft …"</p> }.into_any(),
                Step::Failed(reason) => view! {
                    <p class="message error" role="alert">{reason}</p>
                    <p><a href=Route::CaseList.href()>"Zu allen Berichten"</a></p>
                }.into_any(),
                Step::Joining => view! {
                    <p class="message" role="status" data-state=move || sync_state.get().code()>
                        {move || match sync_state.get() {
                            State::Connecting => "Verbinde mit dem Bericht …".to_string(),
                            State::Synced => "Verbunden. Warte auf die Daten des Berichts – das Gerät, das ihn geteilt hat, sendet sie, sobald es online ist.".to_string(),
                            State::Offline => "Keine Verbindung zum Server. Es wird weiter versucht …".to_string(),
                            State::Refused(reason) => reason,
                        }}
                    </p>
                }.into_any(),
            }}
        </div>
    }
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
        let Some(report) = ready else { return };
        let Some(Some(j)) = joining.try_update_value(Option::take) else {
            return;
        };
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            match j.finish(&store, report).await {
                Ok(id) => navigate(&Route::Report(id)),
                Err(e) => {
                    let _ = step.try_set(Step::Failed(format!(
                        "Der Bericht konnte auf diesem Gerät nicht gespeichert werden: {e}"
                    )));
                }
            }
        });
    });
}
