//! Gathering: the only code that talks to the network. It plans probes
//! from what the selected checks need ([`plan`]), sends them through the
//! one HTTP client ([`http`]), derives further probes from what came back
//! ([`derive`]) and records every exchange in the evidence store
//! ([`run`]), with the credentials a server issues redacted first
//! ([`issued`]). It reads what it found through the evidence views, the
//! same ones the checks read.

pub mod derive;
pub mod http;
pub mod issued;
pub mod plan;
pub mod run;

pub use plan::GatherOptions;
pub use run::{Transport, gather};
