//! agentready: can an autonomous AI agent discover how to authenticate to an
//! API, and authenticate and act without a human in a browser?
//!
//! A scan goes `gather → evaluate → score → gate → report`: the options
//! ([`scan::ScanOptions`]) say what to scan and how; the gatherer sends the
//! probes the selected checks need (the only network code) and records
//! every exchange in the [`Evidence`] store; the [`Engine`] runs the
//! catalogue's checks over it (pure functions, no I/O), scores the
//! outcomes and assembles the [`report::Report`]; the [`gate`] gives its
//! CI verdict and [`render`] formats it. The library never prints.
//!
//! `docs/architecture.md` describes the layers and the rules between them.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use agentready::scan::ScanOptions;
//! let options = ScanOptions {
//!     target: Some("example.com".into()),
//!     ..ScanOptions::default()
//! };
//! let scanned = options.prepare()?.run().await?;
//! println!("{:?}", scanned.report.score);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

/// Declares an internal layer: private, or public (and hidden from the
/// documentation) with the `testing` feature, for the tests, examples,
/// benches and fuzz targets.
macro_rules! layers {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "testing")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "testing"))]
        mod $name;
    )*};
}

layers!(
    checks, classify, engine, evidence, fixture, gather, model, parse, scoring
);

pub mod batch;
pub mod config;
pub mod demo;
pub mod exit;
pub mod gate;
pub mod render;
pub mod report;
pub mod scan;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;

pub use engine::{Engine, SelectionError, catalogue};
pub use evidence::{Evidence, EvidenceError};
pub use gather::{GatherOptions, Transport, http};
pub use model::catalogue::{
    Category, CheckMeta, FindingSpec, Implementation, Question, Reference, Severity,
};
pub use model::credential::CredentialFacts;
pub use model::exchange::{
    ErrorKind, Exchange, Header, Mode, ProbeError, Redirect, RequestRecord, ResponseRecord,
};
pub use model::outcome::{FindingLevel, Outcome};
pub use model::target::{Target, TargetError, TargetKind};
pub use scoring::ALGORITHM_VERSION;
