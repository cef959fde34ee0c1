//! Conversation mode: which goal a goal step shows, for the goals table inside it.

use dreieck_model::GoalId;
use leptos::prelude::*;

/// Provided by the conversation view around a step: the goals table shows only `goal` (all
/// goals when `None`), and a goal added there becomes the step via `on_added`.
#[derive(Clone, Copy)]
pub struct GoalFocus {
    pub goal: Signal<Option<GoalId>>,
    pub on_added: Callback<GoalId>,
}
