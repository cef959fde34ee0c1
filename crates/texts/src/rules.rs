//! What a machine can find wrong in a Leichte-Sprache text, before people read it: the rules
//! of `docs/leichte-sprache.md` that can be checked word by word. Passing them does not make a
//! text plain; failing one always means it is not.

/// Words a person supported should not meet in a plain text: abbreviations, slashes and the
/// office words of the forms (their standard labels keep them, as on paper).
pub const NOT_PLAIN: [&str; 16] = [
    "z. B.",
    "z.B.",
    "bzw.",
    "ggf.",
    "Tel.",
    "Nr.",
    "LB",
    "eLb",
    "IFK",
    "ÖPNV",
    "PKW",
    "O-Ton",
    "SAM",
    "*",
    "/",
    "Maßnahme",
];

/// Words that blame the person for what did not work ("Sie haben nicht genug mitgemacht"): a
/// reason is said kindly, as something that was hard, never as the person's failing.
pub const BLAMING: [&str; 4] = [
    "Sie haben nicht genug",
    "Sie haben zu wenig",
    "Ihre Schuld",
    "nicht genug mitgemacht",
];

/// Passive voice: Leichte Sprache says who does what.
pub const PASSIVE: [&str; 4] = [" wurde ", " wurden ", " worden", " muss ausgefüllt"];

/// The longest sentence, in words.
pub const MAX_WORDS: usize = 12;

/// What is wrong with `text` as Leichte Sprache, one line per problem; empty when nothing
/// is found. An empty text is a problem: every text needs its plain version.
pub fn problems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if text.trim().is_empty() {
        out.push("no plain-language text".to_string());
        return out;
    }
    if BLAMING.iter().any(|words| text.contains(words)) {
        out.push(format!("blames the person: {text:?}"));
    }
    let spaced = format!(" {text} ");
    for marker in PASSIVE {
        if spaced.contains(marker) {
            out.push(format!("passive voice ({marker:?}) in {text:?}"));
        }
    }
    for word in NOT_PLAIN {
        if text.contains(word) {
            out.push(format!("{word:?} in {text:?}"));
        }
    }
    for sentence in text.split(['.', '?', ':', '!', '\n']) {
        if sentence.split_whitespace().count() > MAX_WORDS {
            out.push(format!("sentence over {MAX_WORDS} words: {sentence:?}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_finds_what_it_is_for() {
        assert!(problems("Hier unterschreiben Sie.").is_empty());
        assert_eq!(problems(" ").len(), 1);
        assert_eq!(problems("Das Feld muss ausgefüllt werden.").len(), 1);
        assert_eq!(
            problems("Nach der Unterschrift wurde etwas geändert.").len(),
            1
        );
        assert_eq!(problems("Sie haben nicht genug mitgemacht.").len(), 1);
        assert_eq!(problems("Einrichtung/Dienst").len(), 1);
        assert_eq!(problems("Fragen Sie z. B. den Dienst.").len(), 1);
        let long = "Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn.";
        assert_eq!(problems(long).len(), 1);
        // Two short sentences are fine together.
        assert!(
            problems("Eins zwei drei vier fünf sechs. Sieben acht neun zehn elf zwölf.").is_empty()
        );
    }
}
