//! Abuse controls: bot challenges an agent cannot solve, rate-limit
//! signals it can pace itself by, and unscoped API keys.

pub mod api_key_scheme;
pub mod bot_challenge;
pub mod rate_limit_signals;
