//! The pictogram a section shows in plain language (Leichte Sprache): a picture beside the
//! heading helps a reader who reads little find their way through the form.
//!
//! Templates name one from this fixed set rather than carrying their own images: every picture
//! is drawn once in the app, in the same simple style, and a template file stays plain text
//! an organisation can edit without a designer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pictogram {
    /// One person: "Über Sie".
    Person,
    /// Two people: friends, neighbours, the people who help.
    People,
    /// A house: the service, where someone lives.
    House,
    /// A sheet of paper: facts about the report or the offer.
    Document,
    /// A plant growing: development and change.
    Growth,
    /// A heart: wishes, what matters to the person.
    Heart,
    /// A speech bubble: remarks, what someone says.
    Speech,
    /// A target: goals.
    Target,
    /// A pen: signatures.
    Pen,
    /// A map pin: the neighbourhood.
    Place,
    /// An open hand: support.
    Hand,
    /// A star: strengths, what the person can do.
    Star,
    /// A question mark: why this form, what happened.
    Question,
}

impl Pictogram {
    /// Every pictogram, for a gallery or a test that draws each one.
    pub const ALL: [Pictogram; 13] = [
        Pictogram::Person,
        Pictogram::People,
        Pictogram::House,
        Pictogram::Document,
        Pictogram::Growth,
        Pictogram::Heart,
        Pictogram::Speech,
        Pictogram::Target,
        Pictogram::Pen,
        Pictogram::Place,
        Pictogram::Hand,
        Pictogram::Star,
        Pictogram::Question,
    ];
}
