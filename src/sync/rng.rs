//! The platform's cryptographic generator (`crypto.getRandomValues`) as a `rand_core` RNG,
//! for the sync crate's nonces and keys.

use rand_core::{CryptoRng, RngCore};

/// Randomness from the browser. [`available`] is checked before a link starts, so the
/// infallible `fill_bytes` below never meets a missing generator.
pub struct WebRng;

/// Whether the platform generator works (it does in every browser the app supports; a page
/// without it must not fall back to weak randomness for keys and nonces).
pub fn available() -> bool {
    crate::state::platform::random_works()
}

impl RngCore for WebRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = self.try_fill_bytes(dest) {
            // Checked by `available()` before any link starts; continuing with predictable
            // nonces would break the encryption, so stopping is the only safe answer.
            panic!("no cryptographic randomness: {e}");
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        crate::state::platform::fill_random(dest).map_err(|_| {
            rand_core::Error::from(
                std::num::NonZeroU32::new(rand_core::Error::CUSTOM_START)
                    .unwrap_or(std::num::NonZeroU32::MIN),
            )
        })
    }
}

impl CryptoRng for WebRng {}
