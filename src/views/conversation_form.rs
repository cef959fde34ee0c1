//! Conversation mode: the joint conversation on one tablet. Who is present, who is speaking
//! (edits count as that person's role), and the agenda one step at a time in large type. The
//! step is stored in the report, so a device joined from elsewhere shows the same step.

use dreieck_model::AgendaStep;
use dreieck_texts::around;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::conversation::GoalFocus;
use crate::state::editor::Editor;
use crate::state::platform::root_class;
use crate::state::session::{CONVERSATION, GOALS};
use crate::views::agenda_nav::{show_step_heading, AgendaNav};
use crate::views::closing_summary::ClosingSummaryView;
use crate::views::editor_notice::EditorNotice;
use crate::views::moved_away::MovedAway;
use crate::views::participants_panel::ParticipantsPanel;
use crate::views::refused_changes::RefusedChanges;
use crate::views::report_form::subject;
use crate::views::save_status::SaveStatusView;
use crate::views::section_view::SectionView;
use crate::views::speaker_switch::SpeakerSwitch;
use crate::views::sticky_bar::keep_focus_clear_of;
use crate::views::sync_bar::SyncBar;
use crate::views::undo_buttons::UndoButtons;

#[component]
pub fn ConversationForm(editor: Editor) -> impl IntoView {
    provide_context(editor);
    let app = use_app();
    // Large type and targets for the whole page while the conversation is shown.
    root_class("conversation-mode", true);
    on_cleanup(|| root_class("conversation-mode", false));

    // The agenda and where the conversation is: follows goals, conditions and the stored step.
    let state = Memo::new(move |_| {
        editor.track_field(CONVERSATION);
        editor.track_field(GOALS);
        editor.track_conditions();
        editor
            .read(|r| (r.agenda(), r.conversation_step()))
            .unwrap_or_default()
    });
    let current = Memo::new(move |_| state.with(|(agenda, i)| agenda.get(*i).cloned()));
    let go_to = Callback::new(move |key: String| {
        let role = app.role.get_untracked();
        editor.change(|r| r.set_conversation_step(role, &key));
    });
    // A goal added in a goal step becomes the step.
    let focus = GoalFocus {
        goal: Signal::derive(move || current.with(|s| s.as_ref().and_then(|s| s.goal.clone()))),
        on_added: Callback::new(move |goal: dreieck_model::GoalId| {
            // Read from the report: the memo may not have seen the new goal yet.
            let key = editor
                .read(|r| {
                    r.agenda()
                        .into_iter()
                        .find(|s| s.goal.as_ref() == Some(&goal))
                })
                .flatten()
                .map(|s| s.key);
            if let Some(key) = key {
                go_to.run(key);
            }
        }),
    };
    provide_context(focus);
    // The step with the signature lines, for the summary's "Zu den Unterschriften".
    let signature_step = Memo::new(move |_| {
        let signed_sections = editor
            .template(|t| {
                t.sections
                    .iter()
                    .filter(|s| {
                        s.fields
                            .iter()
                            .any(|f| matches!(f.kind, dreieck_model::FieldKind::Signature { .. }))
                    })
                    .map(|s| s.id.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        state.with(|(agenda, _)| {
            agenda
                .iter()
                .find(|step| step.sections.iter().any(|s| signed_sections.contains(s)))
                .map(|step| step.key.clone())
        })
    });
    let to_signatures = Callback::new(move |()| {
        if let Some(key) = signature_step.get_untracked() {
            go_to.run(key);
            show_step_heading(true);
        }
    });

    let subject = move || subject(editor);
    let report_href = Route::Report(editor.id()).href();
    let bar = NodeRef::<leptos::html::Div>::new();
    keep_focus_clear_of(bar);
    view! {
        <div class="report-form conversation">
            <p class="report-subject">
                {move || around(app.texts().conversation_subject).0}
                <strong>{subject}</strong>
            </p>
            <div class="editor-bar" node_ref=bar>
                <SaveStatusView />
                <UndoButtons />
                // In the bar, so the way back to the whole report is always in reach.
                <a class="button whole-report" href=report_href>
                    {move || app.texts().conversation_whole_report}
                </a>
                <SyncBar />
            </div>
            <MovedAway />
            <RefusedChanges />
            <EditorNotice />
            // Who is there and who speaks, in one bar: the step starts on the first screen.
            <div class="conversation-bar">
                <ParticipantsPanel />
                <SpeakerSwitch />
            </div>
            <AgendaNav state=state go_to=go_to />
            {move || current.get().map(|step| view! { <StepView step=step to_signatures=to_signatures /> })}
            <AgendaNav state=state go_to=go_to bottom=true />
        </div>
    }
}

/// One step: its sections (a goal step shows its goal only, through [`GoalFocus`]), or the
/// closing summary.
#[component]
fn StepView(step: AgendaStep, to_signatures: Callback<()>) -> impl IntoView {
    if step.is_summary() {
        return view! { <ClosingSummaryView to_signatures=Some(to_signatures) /> }.into_any();
    }
    let editor = crate::state::editor::use_editor();
    let sections = editor
        .template(|t| {
            step.sections
                .iter()
                .filter_map(|id| t.sections.iter().find(|s| &s.id == id).cloned())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    view! {
        <div class="conversation-step">
            {sections
                .into_iter()
                .map(|section| view! { <SectionView section=section /> })
                .collect_view()}
        </div>
    }
    .into_any()
}
