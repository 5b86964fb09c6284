//! Every check of the catalogue on evidence whose documents and headers are
//! the fuzzer's bytes (metadata, agent_auth, PRM, challenge, auth.md, 402).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static agentready::engine::Engine {
    static E: OnceLock<agentready::engine::Engine> = OnceLock::new();
    E.get_or_init(|| agentready::engine::Engine::new(Vec::new(), &[], &[]).expect("catalogue"))
}

fuzz_target!(|data: &[u8]| {
    let ev = agentready::testing::hostile_evidence(data);
    let report = engine().evaluate(&ev, String::new(), 0);
    for c in &report.checks {
        assert!(
            c.outcome != agentready::model::outcome::Outcome::Error || !c.summary.contains("panicked"),
            "{} panicked",
            c.id
        );
    }
});
