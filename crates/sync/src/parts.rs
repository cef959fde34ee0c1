//! Large messages as a run of small frames.
//!
//! A long offline day, the first share of a long history, or the full state a device uploads
//! after a relay restart can be tens of megabytes in one message. Sent as one frame, such a
//! message would exceed what the relay takes in one WebSocket message, be refused with
//! FRAME_TOO_LARGE, and be sent again and again: sync would wedge on it for good. So every
//! frame larger than [`PART_SIZE`] goes as a run of part frames, each at most `PART_SIZE`
//! bytes of the message plus three bytes of header:
//!
//! `version (1) ‖ PART (1) ‖ last (1 byte: 0 more follow, 1 last) ‖ bytes of the frame`
//!
//! The receiver joins the parts of one run in order ([`Assembler`]) and handles the joined
//! frame like any other. Both sides send a run without anything between its parts (one writer
//! per connection), except that the relay may end a connection with an error frame in the
//! middle of a run: a whole frame arriving there drops the run and is handled as it is. The
//! joined frame may be at most `max` bytes (the receiver's choice, [`MAX_MESSAGE_SIZE`] by
//! default): a run that would grow beyond is refused as soon as it does, so a hostile peer
//! cannot make the receiver hold more than `max` bytes.

use std::borrow::Cow;

use crate::wire::PROTOCOL_VERSION;
use crate::Error;

/// The most bytes of a message one part frame carries; frames up to this size go whole.
pub const PART_SIZE: usize = 1024 * 1024;

/// The largest message joined from parts by default: a full save of a long report with its
/// history. The relay's own limit on stored bytes per room is larger.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;

/// The frame kind of a part (beside [`crate::wire::Message`]'s kinds, which it never reuses).
pub const KIND_PART: u8 = 12;

const HEADER: usize = 3;

/// The frames that carry `frame`: itself if it is at most [`PART_SIZE`] bytes, else its parts.
pub fn split(frame: Vec<u8>) -> Vec<Vec<u8>> {
    if frame.len() <= PART_SIZE {
        return vec![frame];
    }
    let count = frame.len().div_ceil(PART_SIZE);
    frame
        .chunks(PART_SIZE)
        .enumerate()
        .map(|(i, chunk)| {
            let mut part = Vec::with_capacity(HEADER + chunk.len());
            part.push(PROTOCOL_VERSION);
            part.push(KIND_PART);
            part.push(u8::from(i + 1 == count));
            part.extend_from_slice(chunk);
            part
        })
        .collect()
}

/// Whether `frame` is a part of a larger message (not a whole frame).
pub fn is_part(frame: &[u8]) -> bool {
    frame.len() >= 2 && frame[0] == PROTOCOL_VERSION && frame[1] == KIND_PART
}

/// Joins runs of part frames on one connection; whole frames pass through untouched.
#[derive(Debug)]
pub struct Assembler {
    max: usize,
    joining: Vec<u8>,
    /// Whether a run has begun (its bytes may still be empty).
    in_run: bool,
}

impl Default for Assembler {
    fn default() -> Self {
        Self::new(MAX_MESSAGE_SIZE)
    }
}

impl Assembler {
    /// Joins messages of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Assembler {
            max,
            joining: Vec::new(),
            in_run: false,
        }
    }

    /// Takes one received frame: `Ok(Some(frame))` when a whole frame is ready (this one, or
    /// the run it completes), `Ok(None)` while a run goes on. An error drops the run.
    ///
    /// A whole frame in the middle of a run drops the run and is passed on: the relay may end
    /// a connection with an error frame while it sends a run (shutting down, too slow), and
    /// that error must reach the app; what the run carried comes again after reconnecting.
    pub fn accept<'a>(&mut self, frame: &'a [u8]) -> Result<Option<Cow<'a, [u8]>>, Error> {
        if !is_part(frame) {
            if self.in_run {
                self.reset();
            }
            return Ok(Some(Cow::Borrowed(frame)));
        }
        let Some((&last, bytes)) = frame[2..].split_first() else {
            self.reset();
            return Err(Error::Truncated);
        };
        if last > 1 {
            self.reset();
            return Err(Error::Malformed("part flag is neither 0 nor 1"));
        }
        let len = self.joining.len().saturating_add(bytes.len());
        if len > self.max {
            self.reset();
            return Err(Error::FrameTooLarge { len, max: self.max });
        }
        self.in_run = true;
        if self.joining.capacity() < len {
            // Grow by doubling, but never past the limit (doubling alone could reserve twice).
            let want = len
                .max(self.joining.capacity().saturating_mul(2))
                .min(self.max);
            self.joining.reserve_exact(want - self.joining.len());
        }
        self.joining.extend_from_slice(bytes);
        if last == 0 {
            return Ok(None);
        }
        self.in_run = false;
        Ok(Some(Cow::Owned(std::mem::take(&mut self.joining))))
    }

    /// Forgets a run begun (the connection is gone).
    pub fn reset(&mut self) {
        self.joining = Vec::new();
        self.in_run = false;
    }

    /// Bytes held for a run not yet complete.
    pub fn holding(&self) -> usize {
        self.joining.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{self, Message};
    use proptest::prelude::*;

    fn big(len: usize) -> Vec<u8> {
        Message::Append {
            client_seq: 7,
            sealed: (0..len).map(|i| (i % 251) as u8).collect(),
        }
        .encode()
    }

    fn join(frames: &[Vec<u8>], max: usize) -> Result<Vec<Vec<u8>>, Error> {
        let mut a = Assembler::new(max);
        let mut out = Vec::new();
        for f in frames {
            if let Some(whole) = a.accept(f)? {
                out.push(whole.into_owned());
            }
        }
        Ok(out)
    }

    #[test]
    fn small_frames_go_whole() {
        let frame = big(100);
        assert_eq!(split(frame.clone()), vec![frame]);
    }

    #[test]
    fn a_large_frame_goes_in_parts_under_the_part_size_and_joins_to_itself() {
        let frame = big(3 * PART_SIZE + 17);
        let parts = split(frame.clone());
        assert_eq!(parts.len(), 4);
        assert!(parts.iter().all(|p| p.len() <= PART_SIZE + HEADER));
        assert_eq!(join(&parts, MAX_MESSAGE_SIZE), Ok(vec![frame.clone()]));
        assert!(matches!(
            wire::decode_with_limit(&frame, MAX_MESSAGE_SIZE),
            Ok(Message::Append { client_seq: 7, .. })
        ));
    }

    #[test]
    fn runs_follow_each_other_and_small_frames_between_runs() {
        let a = big(PART_SIZE * 2);
        let b = big(10);
        let c = big(PART_SIZE + 1);
        let mut frames = split(a.clone());
        frames.extend(split(b.clone()));
        frames.extend(split(c.clone()));
        assert_eq!(join(&frames, MAX_MESSAGE_SIZE), Ok(vec![a, b, c]));
    }

    #[test]
    fn a_run_growing_beyond_the_limit_is_refused_at_once_and_forgotten() {
        let parts = split(big(3 * PART_SIZE));
        let mut a = Assembler::new(2 * PART_SIZE);
        assert_eq!(a.accept(&parts[0]), Ok(None));
        assert_eq!(a.accept(&parts[1]), Ok(None));
        assert!(
            a.joining.capacity() <= 2 * PART_SIZE,
            "never reserved past the limit"
        );
        assert!(matches!(
            a.accept(&parts[2]),
            Err(Error::FrameTooLarge { .. })
        ));
        assert_eq!(a.holding(), 0);
        // The next message is joined as if nothing had happened.
        let small = big(5);
        assert_eq!(
            a.accept(&small).map(|f| f.map(Cow::into_owned)),
            Ok(Some(small))
        );
    }

    #[test]
    fn a_whole_frame_inside_a_run_drops_the_run_and_is_passed_on() {
        let parts = split(big(2 * PART_SIZE));
        let mut a = Assembler::default();
        assert_eq!(a.accept(&parts[0]), Ok(None));
        let error = Message::Error {
            code: wire::code::SHUTTING_DOWN,
            message: "shutting down".into(),
        }
        .encode();
        assert_eq!(
            a.accept(&error).map(|f| f.map(Cow::into_owned)),
            Ok(Some(error.clone()))
        );
        assert_eq!(a.holding(), 0);
        // The rest of the broken run does not turn into a message of its own by accident: the
        // last part alone is a run of one part, which decodes to nothing valid.
        let joined = a.accept(&parts[1]).ok().flatten();
        assert!(joined.is_none_or(|f| wire::decode_with_limit(&f, MAX_MESSAGE_SIZE).is_err()));
    }

    #[test]
    fn header_only_and_bad_flags_are_errors() {
        let mut a = Assembler::default();
        assert_eq!(
            a.accept(&[PROTOCOL_VERSION, KIND_PART]),
            Err(Error::Truncated)
        );
        assert!(a.accept(&[PROTOCOL_VERSION, KIND_PART, 2, 1, 2]).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_frames_never_panic_and_never_exceed_the_limit(
            frames in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..40),
                    (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..40)).prop_map(|(last, b)| {
                        let mut f = vec![PROTOCOL_VERSION, KIND_PART, u8::from(last)];
                        f.extend(b);
                        f
                    }),
                ],
                0..30,
            )
        ) {
            let mut a = Assembler::new(100);
            for f in &frames {
                if let Ok(Some(whole)) = a.accept(f) {
                    prop_assert!(whole.len() <= 100.max(f.len()));
                }
                prop_assert!(a.holding() <= 100);
            }
        }
    }
}
