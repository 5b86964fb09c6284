//! Abuse-controls family: what an agent meets when it calls the API as a
//! machine — bot challenges it cannot solve (there should be none), and
//! rate-limit signals it can pace itself by.

pub mod bot_challenge;
pub mod rate_limit;

pub use bot_challenge::bot_challenge;
pub use rate_limit::rate_limit_signals;

/// The checks of this family, in catalogue order.
pub const IDS: [&str; 2] = ["bot-challenge", "rate-limit-signals"];
