//! `agent-card`: the A2A agent card at `/.well-known/agent-card.json` is
//! well formed, and what it says about authentication is usable.
//!
//! A2A 1.0 §5 (AgentCard, security schemes), §8.2 (well-known URI); A2A
//! 0.3 `AgentCard` JSON Schema. Its security schemes also feed
//! `as-metadata-discovery` (authorization-server candidates),
//! `browserless-path` (a `deviceCode` flow) and `api-key-scheme`.

use crate::checks::Builtin;
use crate::checks::codes::agent_card as code;
use crate::checks::common::{scheme_json, transport_ok};
use crate::evidence::Evidence;
use crate::evidence::views::DocState;
use crate::evidence::views::cards::cards_view;
use crate::model::api::{FlowKind, SchemeKind};
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::Needs;
use serde_json::json;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::CARDS,
    eval: agent_card,
};

/// Why a card URL that gave no document counts as "no card" (skip), or
/// `None` when what it answered is a malformed card.
pub(crate) fn absent(state: &DocState) -> Option<String> {
    match state {
        DocState::Found(_) | DocState::Truncated | DocState::NotJsonObject { html: false } => None,
        DocState::NotJsonObject { html: true } => Some("an HTML page".into()),
        DocState::CatchAll => Some("the same answer as a random path (catch-all)".into()),
        other => Some(other.describe()),
    }
}

/// `agent-card`: A2A 1.0 §5, §8.2; A2A 0.3.
pub fn agent_card(ev: &Evidence) -> Evaluation {
    let view = cards_view(ev);
    let Some(doc) = &view.agent else {
        return Evaluation::skip("the agent card was not requested");
    };
    if let Some(why) = absent(&doc.state) {
        return Evaluation::skip(format!("no A2A agent card at {} ({why})", doc.url));
    }
    let probes = vec![doc.probe.clone()];
    let p = Some(doc.probe.as_str());
    let Some(card) = &doc.card else {
        let f = finding(
            code::MALFORMED,
            format!(
                "{} answered {}: an agent card is a JSON object (A2A 1.0 §8.2)",
                doc.url,
                doc.state.describe()
            ),
            p,
        );
        return Evaluation::evaluated("The agent card is not a JSON object", vec![f], probes);
    };
    let mut findings = Vec::new();
    if !card.problems.is_empty() {
        findings.push(finding(
            code::MALFORMED,
            format!(
                "{} is not a valid A2A agent card: {}",
                doc.url,
                card.problems.join("; ")
            ),
            p,
        ));
    }
    if !card.scheme_problems.is_empty() {
        findings.push(finding(
            code::SECURITY_MALFORMED,
            format!(
                "{}: the security declarations cannot be used as written: {}",
                doc.url,
                card.scheme_problems.join("; ")
            ),
            p,
        ));
    }
    let insecure: Vec<&str> = card
        .urls
        .iter()
        .filter(|u| !url::Url::parse(u).is_ok_and(|u| transport_ok(&u)))
        .map(String::as_str)
        .collect();
    if !insecure.is_empty() {
        findings.push(finding(
            code::INSECURE_URL,
            format!(
                "{}: security scheme URLs without TLS: {} (A2A requires https for OAuth endpoints and metadata)",
                doc.url,
                insecure.join(", ")
            ),
            p,
        ));
    }
    let deprecated: Vec<String> = card
        .schemes
        .iter()
        .flat_map(|s| match &s.kind {
            SchemeKind::OAuth2 { flows, .. } => flows
                .iter()
                .filter(|f| matches!(f.kind, FlowKind::Implicit | FlowKind::Password))
                .map(|f| format!("`{}` in `{}`", f.kind.as_str(), s.name))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    if !deprecated.is_empty() {
        findings.push(finding(
            code::DEPRECATED_FLOW,
            format!(
                "{} declares {}: A2A 1.0 deprecates the implicit and password flows (OAuth 2.1 removes both)",
                doc.url,
                deprecated.join(", ")
            ),
            p,
        ));
    }
    if card.schemes.is_empty() && card.scheme_problems.is_empty() {
        findings.push(finding(
            code::NO_SECURITY,
            format!(
                "{} declares no security scheme: the agent is open, or its authentication is discovered at run time (a 401 challenge)",
                doc.url
            ),
            p,
        ));
    }
    let device = card.schemes.iter().any(|s| {
        matches!(&s.kind, SchemeKind::OAuth2 { flows, .. }
            if flows.iter().any(|f| f.kind == FlowKind::DeviceAuthorization))
    });
    let data = json!({
        "url": doc.url,
        "version": card.version.map(|v| v.as_str()),
        "name": card.name,
        "interfaces": card.interfaces,
        "schemes": card.schemes.iter().map(scheme_json).collect::<Vec<_>>(),
        "device_code": device,
    });
    let summary = format!(
        "A2A {} agent card at {} with {} security scheme(s){}",
        card.version.map_or("(unknown version)", |v| v.as_str()),
        doc.url,
        card.schemes.len(),
        if device { ", a device-code flow among them" } else { "" }
    );
    Evaluation::evaluated(summary, findings, probes).with_data(data)
}

#[cfg(test)]
mod tests {
    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::{Value, json as j};

    const ID: &str = "agent-card";
    const PATH: &str = "/.well-known/agent-card.json";

    pub(crate) fn standard(name: &str) -> Value {
        let p = format!(
            "{}/fixtures/standards/agent-card/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn judge(routes: Vec<crate::fixture::Route>, fallback: Option<crate::fixture::Route>) -> (Outcome, Vec<String>) {
        let r = crate::testing::judge(&evidence(site(routes, fallback), ORIGIN), ID);
        assert_ne!(r.outcome, Outcome::Error, "{}", r.summary);
        (r.outcome, crate::testing::codes(&r))
    }

    #[test]
    fn valid_cards_pass() {
        for f in ["v1-valid-oauth-device.json", "v03-valid-oauth-mtls.json"] {
            assert_eq!(judge(vec![json(PATH, &standard(f))], None), (Outcome::Pass, vec![]), "{f}");
        }
        // An open agent: pass, with an informative finding.
        assert_eq!(
            judge(vec![json(PATH, &standard("v1-valid-minimal-open.json"))], None),
            (Outcome::Pass, vec!["agent-card-no-security".to_string()])
        );
    }

    #[test]
    fn malformed_cards_fail() {
        let (o, codes) = judge(vec![json(PATH, &standard("invalid-mixed-versions.json"))], None);
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"agent-card-malformed".to_string()), "{codes:?}");
        assert!(codes.contains(&"agent-card-security-malformed".to_string()), "{codes:?}");
        let (o, codes) = judge(vec![json(PATH, &standard("invalid-v02-legacy.json"))], None);
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"agent-card-insecure-url".to_string()), "{codes:?}");
        assert!(codes.contains(&"agent-card-deprecated-flow".to_string()), "{codes:?}");
        // JSON that is not an object.
        assert_eq!(
            judge(vec![route(PATH, 200, "application/json", "[1]")], None),
            (Outcome::Fail, vec!["agent-card-malformed".to_string()])
        );
        let _ = j!(null);
    }

    #[test]
    fn absent_cards_skip() {
        // 404.
        assert_eq!(judge(vec![], None).0, Outcome::Skip);
        // A site answering every path with the same JSON: catch-all.
        let any = route("/", 200, "application/json", r#"{"name":"x"}"#);
        assert_eq!(judge(vec![], Some(any)).0, Outcome::Skip);
        // An HTML page.
        let html = route(PATH, 200, "text/html", "<!doctype html><html><body>hi</body></html>");
        assert_eq!(judge(vec![html], None).0, Outcome::Skip);
    }
}
