//! agentready: can an autonomous AI agent discover how to authenticate to an
//! API, and authenticate and act without a human in a browser?
//!
//! The library follows `plan → gather → evaluate → score → render`:
//! [`probe`] plans and sends requests (the only network code) through the
//! [`http`] client into an [`evidence`] store; [`engine`] runs the checks of
//! the [`catalogue`] (built-in [`evaluators`] and [`declarative`] rules) over
//! the evidence, [`scoring`] turns outcomes into a score, grade and level,
//! and [`render`] formats the [`report`]. [`scopes`] classifies OAuth scope
//! strings from a reviewable vocabulary. The library never prints.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use agentready::{engine::Engine, gather::http::{HttpClient, HttpConfig}, gather::GatherOptions, model::target::Target};
//! let engine = Engine::new(Vec::new(), &[], &[])?;
//! let client = HttpClient::new(HttpConfig::default())?;
//! let target = Target::parse("example.com")?;
//! let opts = GatherOptions::default();
//! let (report, _evidence) = engine.scan(&client, &target, &opts).await;
//! println!("{:?}", report.score);
//! # Ok(()) }
//! ```

pub mod batch;
pub mod checks;
pub mod classify;
pub mod config;
pub mod demo;
pub mod engine;
pub mod evidence;
pub mod exit;
pub mod fixture;
pub mod gate;
pub mod gather;
pub mod model;
pub mod parse;
pub mod render;
pub mod report;
pub mod scan;
pub mod scoring;
pub mod testing;
