//! The app's texts in standard German (see the crate documentation).

use crate::Texts;

pub const STANDARD: Texts = Texts {
    skip_to_content: "Zum Inhalt springen",
    nav_reports: "Berichte",
    nav_templates: "Vorlagen",
    nav_label: "Hauptnavigation",
    lock_now: "Sperren",
    my_role: "Meine Rolle",
    role_beneficiary: "Leistungsberechtigte Person",
    role_provider: "Einrichtung/Dienst",
    role_caseworker: "Leistungsträger",
    role_guardian: "Rechtliche Betreuung",
    person_intro: "Zuerst steht hier, was die Person selbst betrifft.",
    person_whole_report: "Ganzen Bericht zeigen",
    person_read_all: "den ganzen Bericht",
    person_not_the_person:
        "Diese Ansicht ist für die leistungsberechtigte Person. Schreiben kann hier nur sie.",
    person_goals: "Ziele",
    person_no_goals: "Noch keine Ziele.",
    person_one_goal: "1 Ziel.",
    person_goals_count: "{} Ziele.",
    person_goal_without_text: "(noch ohne Text)",
    person_measures: "Maßnahmen:",
    person_no_own_rating: "Noch keine Selbsteinschätzung.",
    person_provider_says: "Zielerreichung laut Einrichtung: {}",
    person_ratings_differ: "Die beiden Einschätzungen sind verschieden. Darüber sprechen.",
    person_written_by_others: "Was andere geschrieben haben",
    person_nothing_written: "Noch keine Angaben von anderen.",
    person_written_by: "geschrieben von: {}",
    person_sign: "Unterschrift",
    editor_person_view: "Ansicht für die Person",
};
