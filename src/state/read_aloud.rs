//! Which block is being read aloud, and which of its sentences: the views highlight that
//! sentence and turn the block's "Vorlesen" button into "Stopp".
//!
//! A block is a section heading or a field, named by an id the views agree on; its sentences
//! are numbered in reading order (label, then help, then the value), which is how a sentence
//! on screen knows it is the one being read.

use leptos::prelude::*;

use crate::read_aloud;

#[derive(Clone, Copy)]
pub struct ReadAloud {
    /// (block, sentence being read: `None` until the first one starts).
    reading: RwSignal<Option<(String, Option<usize>)>>,
    /// Why the last reading could not start, until the next one starts.
    failure: RwSignal<Option<String>>,
}

impl ReadAloud {
    pub fn new() -> ReadAloud {
        ReadAloud {
            reading: RwSignal::new(None),
            failure: RwSignal::new(None),
        }
    }

    pub fn available(self) -> bool {
        read_aloud::available()
    }

    /// Reads `sentences` of `block`, stopping whatever was being read.
    pub fn start(self, block: String, sentences: Vec<String>) {
        let reading = self.reading;
        self.failure.set(None);
        reading.set(Some((block.clone(), None)));
        let started = block.clone();
        let result = read_aloud::speak(
            &sentences,
            move |i| {
                let _ = reading.try_set(Some((started.clone(), Some(i))));
            },
            move || {
                let _ = reading.try_set(None);
            },
        );
        if let Err(message) = result {
            reading.set(None);
            self.failure.set(Some(message));
        }
    }

    pub fn stop(self) {
        read_aloud::stop();
        self.reading.set(None);
    }

    /// Whether `block` is being read (tracked).
    pub fn is_reading(self, block: &str) -> bool {
        self.reading
            .with(|r| r.as_ref().is_some_and(|(b, _)| b == block))
    }

    /// The sentence of `block` being read (tracked).
    pub fn sentence(self, block: &str) -> Option<usize> {
        self.reading.with(|r| match r {
            Some((b, i)) if b == block => *i,
            _ => None,
        })
    }

    pub fn failure(self) -> Option<String> {
        self.failure.get()
    }
}

impl Default for ReadAloud {
    fn default() -> Self {
        ReadAloud::new()
    }
}
