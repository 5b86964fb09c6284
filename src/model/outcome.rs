//! Check results: outcomes, findings, evaluations.
//!
//! A check is a pure function over the evidence. It returns findings (each
//! with a code declared in the check's catalogue file) and the engine derives
//! the outcome from the outcomes the catalogue gives those codes: the worst
//! of `fail`, `warn`; only `info` findings (or none) mean `pass`. A check may
//! also declare itself not applicable (`skip`) or not evaluable (`error`).

use super::exchange::{ErrorKind, Exchange};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The skip reason of catalogue checks that are not built yet.
pub const NOT_IMPLEMENTED: &str = "not implemented yet";

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Satisfied.
    Pass,
    /// Informative only (weight 0).
    Info,
    /// A SHOULD is violated or an interop hazard exists: half credit.
    Warn,
    /// A MUST is violated or the capability is absent.
    Fail,
    /// Not applicable (excluded from the score), with a reason.
    Skip,
    /// Could not be evaluated; the category becomes incomplete.
    Error,
}

impl Outcome {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Info => "info",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
            Outcome::Error => "error",
        }
    }

    /// Pass or warn: the capability is there.
    pub fn is_met(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Warn)
    }
}

/// The outcome a finding code stands for (from the catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingLevel {
    /// Informative.
    Info,
    /// Warn.
    Warn,
    /// Fail.
    Fail,
}

/// One reason behind an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, declared in the check's catalogue file.
    pub code: String,
    /// What was found on this target.
    pub message: String,
    /// The probe whose exchange shows it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

/// What an evaluator returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Evaluated, skipped or errored.
    pub status: EvalStatus,
    /// One-line summary for the report.
    pub summary: String,
    /// Findings, in the order found.
    pub findings: Vec<Finding>,
    /// Probe ids the verdict rests on.
    pub evidence: Vec<String>,
    /// Structured details (e.g. `data.scopes`).
    pub data: Option<Value>,
    /// Requests the verdict needed that were never sent or never
    /// answered. An evaluation that would pass with any of these is not a
    /// pass: the engine makes it `skip` (or `error` for a fault) with the
    /// reason and the remedy; a warn or fail its findings establish stands.
    pub unverified: Vec<Unverified>,
    /// What to change, written for this site (its URLs, the values
    /// observed): the report's `remediation_for_site`.
    pub site_fix: Option<String>,
}

/// A request a check needed that says nothing about the target: it was
/// never sent (the SSRF guard, `--passive`, politeness, a run restricted to
/// loopback) or never answered (timeout, unreachable host). Not verified
/// is not failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// The probe, when one was planned.
    pub probe: Option<String>,
    /// What was not verified, and why.
    pub reason: String,
    /// What the user can do to verify it.
    pub remedy: String,
    /// True when nothing answered (a network fault: the check is `error`);
    /// false when the request was deliberately not sent (`skip`).
    pub fault: bool,
}

impl Unverified {
    /// The shared rule "not verified is not failed": what an exchange that
    /// got no answer means for a check. `None` when the exchange says
    /// something about the target (it was answered, or a redirect the
    /// server sent could not be followed); otherwise why it says nothing,
    /// what would verify it, and whether it is a fault (nothing answered:
    /// the check is `error`) or a request deliberately not sent (the check
    /// is `skip`).
    ///
    /// `what` names the request for the reason, e.g. "POST https://…/revoke".
    pub fn of_exchange(x: &Exchange, what: &str) -> Option<Unverified> {
        if x.response.is_some() {
            return None;
        }
        let (message, kind) = match &x.error {
            Some(e) => (e.message.as_str(), &e.kind),
            None => ("no response", &ErrorKind::Other),
        };
        let (remedy, fault) = match kind {
            // The server answered with a redirect that could not be
            // followed: that is an observation about the target, judged by
            // the check.
            ErrorKind::RedirectLimit | ErrorKind::RedirectRefused | ErrorKind::InvalidUrl => {
                return None;
            }
            ErrorKind::Refused => (
                "--allow-private (the SSRF guard refuses private, loopback and link-local addresses the target's documents name unless the target itself is one)",
                false,
            ),
            ErrorKind::Restricted => (
                "scan without the loopback-only restriction of tests and the demo",
                false,
            ),
            ErrorKind::Robots => ("--ignore-robots, if the site owner agrees", false),
            ErrorKind::Excluded => ("remove the host from the --exclude list", false),
            ErrorKind::HostSkipped => (
                "scan the target again when the host answers (or raise --max-host-errors)",
                true,
            ),
            ErrorKind::Deadline => ("a longer --target-timeout", true),
            ErrorKind::Timeout => ("a longer --timeout, or scan again later", true),
            _ => (
                "check that the host is reachable from where agentready runs, then scan again",
                true,
            ),
        };
        let verb = if fault {
            "got no answer"
        } else {
            "was not sent"
        };
        Some(Unverified {
            probe: Some(x.probe.clone()),
            reason: format!("{what} {verb}: {message}"),
            remedy: remedy.to_string(),
            fault,
        })
    }

    /// A request passive mode did not send (`--passive` sends GETs only).
    pub fn passive(what: &str) -> Unverified {
        Unverified {
            probe: None,
            reason: format!("{what} was not sent: passive mode sends GET requests only"),
            remedy: "scan without --passive".to_string(),
            fault: false,
        }
    }
}

/// Whether the check could be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalStatus {
    /// Evaluated: the outcome follows from the findings.
    Evaluated,
    /// Evaluated and informative only, whatever the findings.
    Informative,
    /// Not applicable.
    Skip,
    /// Could not be evaluated.
    Error,
}

impl Evaluation {
    /// An evaluated result; the outcome comes from the findings.
    pub fn evaluated(
        summary: impl Into<String>,
        findings: Vec<Finding>,
        evidence: Vec<String>,
    ) -> Self {
        Evaluation {
            status: EvalStatus::Evaluated,
            summary: summary.into(),
            findings,
            evidence,
            data: None,
            unverified: Vec::new(),
            site_fix: None,
        }
    }

    /// Not applicable, with the reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Evaluation {
            status: EvalStatus::Skip,
            summary: reason.into(),
            findings: Vec::new(),
            evidence: Vec::new(),
            data: None,
            unverified: Vec::new(),
            site_fix: None,
        }
    }

    /// Not evaluable, with the reason.
    pub fn error(reason: impl Into<String>, evidence: Vec<String>) -> Self {
        Evaluation {
            status: EvalStatus::Error,
            summary: reason.into(),
            findings: Vec::new(),
            evidence,
            data: None,
            unverified: Vec::new(),
            site_fix: None,
        }
    }

    /// Attach structured data.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Attach a remediation written for the scanned site.
    pub fn with_site_fix(mut self, fix: impl Into<String>) -> Self {
        self.site_fix = Some(fix.into());
        self
    }

    /// Record requests the verdict needed that were not sent or not
    /// answered (see [`Unverified`]).
    pub fn with_unverified(mut self, unverified: Vec<Unverified>) -> Self {
        self.unverified.extend(unverified);
        self
    }
}

/// A finding code a built-in check declares in its catalogue file. The
/// constants are generated from `checks/*.toml` (`checks::codes`), so a
/// check cannot name a code its file does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(&'static str);

impl Code {
    /// A code as declared (for the generated constants).
    pub const fn new(code: &'static str) -> Code {
        Code(code)
    }

    /// The code.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<Code> for String {
    fn eq(&self, other: &Code) -> bool {
        self == other.0
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.0
    }
}

/// Build a finding of a built-in check.
pub fn finding(code: Code, message: impl Into<String>, probe: Option<&str>) -> Finding {
    Finding::new(code.as_str(), message, probe)
}

impl Finding {
    /// A finding with any code: the declarative interpreter's, whose codes
    /// come from a user's catalogue file (the engine still refuses a code
    /// the file does not declare).
    pub fn new(code: &str, message: impl Into<String>, probe: Option<&str>) -> Finding {
        Finding {
            code: code.to_string(),
            message: message.into(),
            probe: probe.map(str::to_string),
        }
    }
}
