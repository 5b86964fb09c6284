//! Exit codes of the `agentready` binary (a contract, listed in the README). The
//! README's table is tested against [`TABLE`].

/// Scan complete and gate passed.
pub const OK: u8 = 0;
/// Gate failed: score under `--fail-under`, a finding at gate level error, or
/// a regression against `--baseline`.
pub const GATE_FAILED: u8 = 1;
/// Usage or configuration error.
pub const USAGE: u8 = 2;
/// Target unreachable or scan incomplete.
pub const INCOMPLETE: u8 = 3;
/// `batch` interrupted by SIGINT or SIGTERM (128 + SIGINT, as shells
/// report it): the metadata file says `interrupted`, `--resume` continues.
pub const INTERRUPTED: u8 = 130;

/// Every exit code with its meaning, as the README documents them.
pub const TABLE: &[(u8, &str)] = &[
    (OK, "scan complete and gate passed"),
    (GATE_FAILED, "gate failed"),
    (USAGE, "usage or configuration error"),
    (INCOMPLETE, "target unreachable or scan incomplete"),
    (INTERRUPTED, "batch interrupted"),
];
