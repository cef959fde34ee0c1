//! Sharing a report with the other corners of the triangle: invitations, the encrypted
//! connection to the relay (through `dreieck-sync`'s client state machine), presence, and
//! what the sync indicator shows. See docs/architecture.md, "Sync".

pub mod direct;
pub mod invitation;
pub mod link;
pub mod moves_left;
pub mod open_invites;
pub mod peer_connection;
pub mod presence;
pub mod qr_scan;
pub mod rendezvous;
pub mod rng;
pub mod shared;
pub mod socket;
pub mod tabs;
