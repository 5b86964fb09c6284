//! Judgements whose rules are data, not code: the scope vocabulary and
//! classifier, what an API operation does, and the bot-challenge
//! fingerprints. They import only the model.

mod error;
pub mod fingerprints;
pub mod operations;
pub mod scopes;

pub use error::ScopeError;
