//! Abuse-controls family: what an agent meets when it calls the API as a
//! machine — rate-limit signals it can pace itself by, and (never) bot
//! challenges it cannot solve.

pub mod rate_limit;

pub use rate_limit::rate_limit_signals;

/// The checks of this family, in catalogue order.
pub const IDS: [&str; 1] = ["rate-limit-signals"];
