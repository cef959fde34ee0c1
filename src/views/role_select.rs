//! "Meine Rolle": who uses this device now.

use dreieck_model::Role;
use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn RoleSelect() -> impl IntoView {
    let app = use_app();
    let on_change = move |ev| {
        if let Some(role) = Role::parse(&event_target_value(&ev)) {
            app.set_role(role);
        }
    };
    view! {
        <div class="role-select">
            <label for="meine-rolle">{move || app.texts().my_role}</label>
            <select id="meine-rolle" on:change=on_change>
                {Role::ALL
                    .into_iter()
                    .map(|role| {
                        view! {
                            <option
                                value=role.as_str()
                                prop:selected=move || app.role.get() == role
                            >
                                {move || role_name(app.texts(), role)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The role's name in the language shown (the header, "Sie schreiben als").
pub fn role_name(t: &'static Texts, role: Role) -> &'static str {
    role.name(t)
}
