//! The vocabulary every layer speaks, and nothing else: the target, the
//! records of an exchange, what a probe is, what a check concludes, and the
//! catalogue's terms. Pure data with its own small rules; it imports
//! nothing from the rest of the crate.

pub mod api;
pub mod catalogue;
pub mod credential;
pub mod datafile;
pub mod exchange;
pub mod outcome;
pub mod probe;
pub mod target;
pub mod texts;
