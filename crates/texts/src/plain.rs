//! The app's texts in Leichte Sprache, written by hand by the rules of
//! `docs/leichte-sprache.md`: active voice, one statement per sentence, no abbreviations or
//! slashes, long compounds split with a hyphen ("Gesamt-Plan"). The person supported is
//! addressed as "Sie".

use crate::Texts;

pub const PLAIN: Texts = Texts {
    skip_to_content: "Direkt zum Inhalt",
    nav_reports: "Berichte",
    nav_templates: "Formulare",
    nav_label: "Haupt-Menü",
    lock_now: "Dreieck zumachen",
    my_role: "Wer benutzt das Gerät?",
    role_beneficiary: "Die Person selbst",
    role_provider: "Jemand vom Dienst",
    role_caseworker: "Jemand vom Amt",
    role_guardian: "Die rechtliche Betreuung",
    person_intro: "Das ist Ihr Bericht. Hier sehen Sie zuerst Ihre eigenen Sachen.",
    person_whole_report: "Den ganzen Bericht zeigen",
    person_read_all: "den ganzen Bericht",
    person_not_the_person: "Diese Seite ist für die Person selbst. Nur die Person schreibt hier.",
    person_goals: "Ihre Ziele",
    person_no_goals: "Es gibt noch keine Ziele.",
    person_one_goal: "Sie haben 1 Ziel.",
    person_goals_count: "Sie haben {} Ziele.",
    person_goal_without_text: "Hier steht noch kein Ziel.",
    person_measures: "Diese Hilfe bekommen Sie dafür:",
    person_no_own_rating: "Sie haben noch nichts gewählt.",
    person_provider_says: "Der Dienst sagt: {}",
    person_ratings_differ: "Sie sehen es anders als der Dienst. Sprechen Sie darüber.",
    person_written_by_others: "Das haben andere über Sie geschrieben",
    person_nothing_written: "Die anderen haben noch nichts geschrieben.",
    person_written_by: "{} hat das geschrieben:",
    person_sign: "Unterschreiben",
    editor_person_view: "Nur Ihre Sachen zeigen",
};
