//! The people who sign on this device with a key of their own (`dreieck_model::PersonKey`):
//! one JSON setting, sealed with the other settings once the device has a PIN (their names
//! say who works here). Each key inside is wrapped under its person's own PIN as well.
//!
//! Wrong PINs count per person and follow the device lock's rule
//! (`dreieck_model::at_rest::attempt_rule`): waits after three, and at the limit that person's
//! key is deleted. Their signatures stay valid (every report they signed holds the public key);
//! they set themselves up again for the next one.

use dreieck_model::at_rest::{self, AttemptRule};
use dreieck_model::{ModelError, ParticipantKey, PersonKey, Role};
use zeroize::Zeroizing;

use super::vault::{random, time_of_day};
use super::{settings, StorageError};

const PEOPLE: &str = "personen";

/// Why a person's key was not set up or not opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PersonError {
    #[error("Die PIN ist falsch. Noch {left} Versuche, dann wird der Schlüssel von {name} auf diesem Gerät gelöscht.")]
    WrongPin {
        name: String,
        left: u32,
        wait: Option<String>,
    },
    #[error("Zu viele falsche Versuche. Der nächste Versuch geht ab {0}.")]
    Wait(String),
    #[error("Die PIN war zu oft falsch: Der Schlüssel von {0} ist auf diesem Gerät gelöscht. Bisherige Unterschriften bleiben gültig. Zum Unterschreiben bitte neu einrichten.")]
    Wiped(String),
    #[error("{0} ist auf diesem Gerät nicht (mehr) eingerichtet.")]
    Unknown(String),
    #[error("„{0}“ ist in dieser Rolle schon eingerichtet.")]
    Duplicate(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Storage(#[from] StorageError),
}

/// The people set up on this device; empty when none. A stored list that cannot be read is
/// an error, not an empty list: saving over it would lose every key in it.
pub fn load() -> Result<Vec<PersonKey>, StorageError> {
    match settings::get(PEOPLE) {
        // Stored but not readable (sealed under a key this page does not hold, or damaged).
        None if settings::keys().iter().any(|k| k == PEOPLE) => Err(StorageError::Corrupt(
            "die Liste der Personen an diesem Gerät".into(),
        )),
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json)
            .map_err(|_| StorageError::Corrupt("die Liste der Personen an diesem Gerät".into())),
    }
}

/// Stores the list (an empty one removes the setting).
fn save(people: &[PersonKey]) -> Result<(), StorageError> {
    if people.is_empty() {
        settings::remove(PEOPLE);
        return Ok(());
    }
    let json =
        serde_json::to_string(people).map_err(|e| StorageError::WriteFailed(e.to_string()))?;
    settings::set(PEOPLE, &json)
}

/// Sets up `name` in `role` with a fresh key behind `pin` (Argon2id runs here: let the page
/// paint first).
pub fn add(name: &str, role: Role, pin: &str) -> Result<PersonKey, PersonError> {
    let mut people = load()?;
    let wanted = name.trim().to_lowercase();
    if people
        .iter()
        .any(|p| p.role == role && p.name.to_lowercase() == wanted)
    {
        return Err(PersonError::Duplicate(name.trim().to_string()));
    }
    let seed = Zeroizing::new(random::<32>()?);
    let person = PersonKey::create(
        name,
        role,
        &seed,
        pin,
        random()?,
        random()?,
        at_rest::PIN_KDF,
    )
    .map_err(|e| PersonError::Refused(e.to_string()))?;
    people.push(person.clone());
    save(&people)?;
    Ok(person)
}

/// Removes a person's key from this device (their signatures stay valid).
pub fn remove(public: &str) -> Result<(), StorageError> {
    let mut people = load()?;
    people.retain(|p| p.public != public);
    save(&people)
}

/// The person's signing key, if `pin` is theirs, under the wrong-PIN rule. `now_ms` is the
/// time of the try.
pub fn unlock(public: &str, pin: &str, now_ms: i64) -> Result<ParticipantKey, PersonError> {
    let mut people = load()?;
    let Some(index) = people.iter().position(|p| p.public == public) else {
        return Err(PersonError::Unknown("Diese Person".into()));
    };
    if let AttemptRule::Wait { seconds } = at_rest::attempt_rule(people[index].failures) {
        let until = people[index].last_failure_ms + i64::from(seconds) * 1000;
        if now_ms < until {
            return Err(PersonError::Wait(time_of_day(until as f64)));
        }
    }
    let person = &mut people[index];
    match person.unlock(pin) {
        Ok(key) => {
            if person.failures > 0 {
                person.failures = 0;
                save(&people)?;
            }
            Ok(key)
        }
        Err(ModelError::WrongPin) => {
            person.failures = person.failures.saturating_add(1);
            person.last_failure_ms = now_ms;
            let name = person.name.clone();
            let left = at_rest::WIPE_AFTER.saturating_sub(person.failures);
            match at_rest::attempt_rule(person.failures) {
                AttemptRule::Wipe => {
                    people.remove(index);
                    save(&people)?;
                    Err(PersonError::Wiped(name))
                }
                AttemptRule::Now => {
                    save(&people)?;
                    Err(PersonError::WrongPin {
                        name,
                        left,
                        wait: None,
                    })
                }
                AttemptRule::Wait { seconds } => {
                    save(&people)?;
                    let until = now_ms + i64::from(seconds) * 1000;
                    Err(PersonError::WrongPin {
                        name,
                        left,
                        wait: Some(time_of_day(until as f64)),
                    })
                }
            }
        }
        Err(other) => Err(PersonError::Refused(other.to_string())),
    }
}

/// A key for one signature, kept nowhere: once the signature is made, nobody can sign with it
/// again (for whoever signs here without a key of their own).
pub fn key_for_one_signature() -> Result<ParticipantKey, StorageError> {
    let seed = Zeroizing::new(random::<32>()?);
    Ok(ParticipantKey::from_seed(&seed))
}
