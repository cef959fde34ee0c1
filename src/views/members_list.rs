//! "Wer ist dabei": the members of a protected report as every device verifies them (role,
//! name, this device, removed), with "Entfernen" where this device may remove, and the
//! invitations not used yet, with "Zurückziehen".

use dreieck_model::trust::Member;
use dreieck_model::{Report, Role};
use dreieck_texts::{fill, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::now_ms;
use crate::views::role_select::role_name;

/// One member as the list shows it.
#[derive(Clone, PartialEq)]
struct Row {
    key: [u8; 32],
    label: String,
    role: Role,
    this_device: bool,
    removed: bool,
    owner: bool,
    /// The role this device removes with, when it may remove this member.
    remove_as: Option<Role>,
    /// An invitation not used yet (its link may be out there).
    invitation: bool,
}

fn rows(r: &Report, now_ms: i64) -> Vec<Row> {
    let roster = r.roster();
    let mine: Vec<(Role, [u8; 32])> = r
        .my_roles()
        .into_iter()
        .filter_map(|role| Some((role, r.key_for(role)?)))
        .collect();
    roster
        .members()
        .into_iter()
        .map(|m: Member| {
            let this_device = mine.iter().any(|(_, k)| *k == m.key);
            let remove_as = if m.removed || this_device {
                None
            } else {
                mine.iter()
                    .find(|(_, k)| roster.may_remove(k, &m.key))
                    .map(|(role, _)| *role)
            };
            Row {
                key: m.key,
                label: if m.name.is_empty() {
                    m.role.label().to_string()
                } else {
                    m.name.clone()
                },
                role: m.role,
                this_device,
                removed: m.removed,
                owner: m.owner,
                remove_as,
                invitation: false,
            }
        })
        .chain(r.open_invitations(now_ms).into_iter().map(|inv| {
            Row {
                key: inv.key,
                label: if inv.name.is_empty() {
                    inv.role.label().to_string()
                } else {
                    inv.name.clone()
                },
                role: inv.role,
                this_device: false,
                removed: false,
                owner: false,
                remove_as: mine
                    .iter()
                    .find(|(_, k)| roster.may_remove(k, &inv.key))
                    .map(|(role, _)| *role),
                invitation: true,
            }
        }))
        .collect()
}

/// What the list says beside a name, in Leichte Sprache with `plain`.
fn notes_of(row: &Row, t: &'static Texts) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if row.invitation {
        notes.push(t.member_invited);
    }
    if row.owner {
        notes.push(t.member_owner);
    }
    if row.this_device {
        notes.push(t.member_this_device);
    }
    if row.removed {
        notes.push(t.member_removed);
    }
    notes
}

/// What removing does, a sentence a line in Leichte Sprache.
fn hint(t: &'static Texts) -> &'static str {
    t.member_hint
}

#[component]
pub fn MembersList() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let list = Memo::new(move |_| {
        editor.track_all();
        let now = now_ms() as i64;
        editor
            .read(|r| r.is_protected().then(|| rows(r, now)))
            .flatten()
    });
    move || {
        let t = app.texts();
        list.get().map(|rows| {
            // What removing does is said where this device may remove somebody.
            let may_remove = rows.iter().any(|r| r.remove_as.is_some());
            view! {
                <section class="members" aria-labelledby="mitglieder-titel">
                    <h3 id="mitglieder-titel">{t.member_title}</h3>
                    <ul class="member-list">
                        {rows
                            .into_iter()
                            .map(|row| {
                                let key = row.key;
                                let remove_as = row.remove_as;
                                let invitation = row.invitation;
                                // The role is named once: a name that already holds it (a
                                // grant on a tablet) or no name at all shows as it is.
                                let role = role_name(t, row.role);
                                // The name and the role apart: one is data, the other the app's words.
                                let (shown_name, shown_role) = if row.label == row.role.label() {
                                    // No name: the role says who it is, in the words shown.
                                    (role.to_string(), None)
                                } else if row.label.contains(row.role.label()) || row.label.contains(role) {
                                    (row.label.clone(), None)
                                } else {
                                    (row.label.clone(), Some(role))
                                };
                                let name = match shown_role {
                                    Some(role) => format!("{shown_name} ({role})"),
                                    None => shown_name.clone(),
                                };
                                let (action, remove_label) = if row.invitation {
                                    (t.member_withdraw, fill(t.member_withdraw_label, &name))
                                } else {
                                    (t.member_remove, fill(t.member_remove_label, &name))
                                };
                                let notes = notes_of(&row, t);
                                // One element a note: each is a text of its own.
                                let notes: Vec<_> = notes
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, note)| view! { {(i > 0).then_some(", ")} <span>{note}</span> })
                                    .collect();
                                view! {
                                    <li class="member" class:removed=row.removed>
                                        <span class="member-name">
                                            {shown_name}
                                            {shown_role.map(|role| view! { " (" <span>{role}</span> ")" })}
                                        </span>
                                        {(!notes.is_empty()).then(|| view! {
                                            <span class="member-notes">
                                                <span aria-hidden="true">" – "</span>
                                                {notes}
                                            </span>
                                        })}
                                        {remove_as.map(|as_role| view! {
                                            <button
                                                class="button"
                                                aria-label=remove_label
                                                on:click=move |_| {
                                                    if invitation {
                                                        editor.withdraw_invitation(as_role, key);
                                                    } else {
                                                        editor.remove_member(as_role, key);
                                                    }
                                                }
                                            >
                                                {action}
                                            </button>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    {may_remove.then(|| view! {
                        <div class="member-hint">
                            {hint(app.texts()).lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                        </div>
                    })}
                </section>
            }
        })
    }
}
