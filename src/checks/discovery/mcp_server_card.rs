//! `mcp-server-card`: the MCP server cards a site announces (the AI
//! catalog at `/.well-known/ai-catalog.json`, or `<endpoint>/server-card`)
//! are well formed and name an endpoint.
//!
//! The `modelcontextprotocol/experimental-ext-server-card` draft
//! (`docs/discovery.md`, `schema.json#/$defs/ServerCard`) and the AI
//! catalog it uses. An experimental draft: absent is a skip, never a fail.

use crate::checks::Builtin;
use crate::checks::codes::mcp_server_card as code;
use crate::checks::common::transport_ok;
use crate::checks::discovery::agent_card::absent;
use crate::evidence::Evidence;
use crate::evidence::views::api::api_view;
use crate::evidence::views::cards::cards_view;
use crate::model::outcome::{Evaluation, finding};
use crate::model::probe::{Needs, ProbeMeta, ServerCardSource};
use crate::parse::cards::ServerCard;
use serde_json::json;

/// The check, as the registry lists it.
pub const CHECK: Builtin = Builtin {
    id: code::ID,
    requires: Needs::CARDS.with(Needs::API),
    eval: mcp_server_card,
};

/// `mcp-server-card`: the experimental server-card draft.
pub fn mcp_server_card(ev: &Evidence) -> Evaluation {
    let view = cards_view(ev);
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    let mut catalog_found = false;
    if let Some(c) = &view.catalog
        && absent(&c.state).is_none()
    {
        catalog_found = true;
        probes.push(c.probe.clone());
        let p = Some(c.probe.as_str());
        match &c.card {
            None => findings.push(finding(
                code::CATALOG_MALFORMED,
                format!("{} answered {}: an AI catalog is a JSON object", c.url, c.state.describe()),
                p,
            )),
            Some(cat) if !cat.problems.is_empty() => findings.push(finding(
                code::CATALOG_MALFORMED,
                format!("{} is not a valid AI catalog: {}", c.url, cat.problems.join("; ")),
                p,
            )),
            Some(_) => {}
        }
    }
    for s in &view.servers {
        let named = matches!(
            ev.record(&s.probe).map(|r| &r.meta),
            Some(ProbeMeta::ServerCard {
                via: ServerCardSource::Catalog { .. },
            })
        );
        let p = Some(s.probe.as_str());
        if let Some(why) = absent(&s.state) {
            if named {
                probes.push(s.probe.clone());
                findings.push(finding(
                    code::UNREACHABLE,
                    format!("the AI catalog names the server card {}, which answered {why}", s.url),
                    p,
                ));
            }
            continue;
        }
        probes.push(s.probe.clone());
        if s.card.is_none() {
            findings.push(finding(
                code::MALFORMED,
                format!("{} answered {}: a server card is a JSON object", s.url, s.state.describe()),
                p,
            ));
        }
    }
    if view.found.is_empty() && findings.is_empty() {
        return Evaluation::skip(if catalog_found {
            "the AI catalog lists no MCP server card"
        } else {
            "no MCP server card: no AI catalog at /.well-known/ai-catalog.json and no card at the MCP endpoint"
        });
    }
    let api = api_view(ev);
    let mut remotes = Vec::new();
    for f in &view.found {
        let p = Some(f.probe.as_str());
        let where_ = if f.inline {
            format!("the server card inline in {}", f.url)
        } else {
            f.url.clone()
        };
        judge_card(&f.card, &where_, p, &mut findings);
        for r in &f.card.remotes {
            let probe = api.iter().find(|a| a.url == r.url && !a.invalid_token);
            remotes.push(json!({
                "card": f.url,
                "url": r.url,
                "transport": r.transport,
                "secret_headers": r.secret_headers,
                "probe": probe.map(|a| a.probe.as_str()),
                "status": probe.and_then(|a| a.response(ev)).map(|r| r.status),
            }));
        }
    }
    probes.dedup();
    let summary = format!(
        "{} MCP server card(s) found, announcing {} endpoint(s)",
        view.found.len(),
        remotes.len()
    );
    Evaluation::evaluated(summary, findings, probes).with_data(json!({ "remotes": remotes }))
}

fn judge_card(
    card: &ServerCard,
    where_: &str,
    p: Option<&str>,
    findings: &mut Vec<crate::model::outcome::Finding>,
) {
    if !card.problems.is_empty() {
        findings.push(finding(
            code::MALFORMED,
            format!("{where_} is not a valid server card: {}", card.problems.join("; ")),
            p,
        ));
    }
    if !card.literal_secrets.is_empty() {
        findings.push(finding(
            code::LITERAL_SECRET,
            format!(
                "{where_} publishes a credential: {} (cards must not include credentials)",
                card.literal_secrets.join("; ")
            ),
            p,
        ));
    }
    if card.remotes.is_empty() {
        findings.push(finding(
            code::NO_REMOTE,
            format!("{where_} names no remote: an agent learns no MCP endpoint from it"),
            p,
        ));
    } else if card.remotes.iter().all(|r| r.transport == "sse") {
        findings.push(finding(
            code::SSE_ONLY,
            format!("{where_} offers only the deprecated HTTP+SSE transport"),
            p,
        ));
    }
    let insecure: Vec<&str> = card
        .remotes
        .iter()
        .filter(|r| {
            r.url.starts_with("http://") && !url::Url::parse(&r.url).is_ok_and(|u| transport_ok(&u))
        })
        .map(|r| r.url.as_str())
        .collect();
    if !insecure.is_empty() {
        findings.push(finding(
            code::INSECURE_REMOTE,
            format!("{where_} announces plain-http endpoints: {}", insecure.join(", ")),
            p,
        ));
    }
    let secrets: Vec<String> = card
        .remotes
        .iter()
        .flat_map(|r| r.secret_headers.iter().map(move |h| format!("`{h}` for {}", r.url)))
        .collect();
    if !secrets.is_empty() {
        findings.push(finding(
            code::SECRET_HEADER,
            format!(
                "{where_} asks for secret headers ({}): a static secret the agent must get out of band",
                secrets.join(", ")
            ),
            p,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::outcome::Outcome;
    use crate::testing::{ORIGIN, evidence, json, route, site};
    use serde_json::{Value, json as j};

    const ID: &str = "mcp-server-card";
    const CATALOG: &str = "/.well-known/ai-catalog.json";

    fn standard(name: &str) -> Value {
        let p = format!("{}/fixtures/standards/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn judge(routes: Vec<crate::fixture::Route>, target: &str) -> (Outcome, Vec<String>) {
        let r = crate::testing::judge(&evidence(site(routes, None), target), ID);
        assert_ne!(r.outcome, Outcome::Error, "{}", r.summary);
        (r.outcome, crate::testing::codes(&r))
    }

    fn catalog_with(card_url: &str) -> Value {
        j!({"specVersion": "1.0", "entries": [{
            "identifier": "urn:air:as.example.com:mcp:notes",
            "type": "application/mcp-server-card+json",
            "url": card_url
        }]})
    }

    fn card(remote: &str) -> Value {
        j!({
            "$schema": "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json",
            "name": "com.example/notes",
            "version": "1.0.0",
            "description": "Notes",
            "remotes": [{"type": "streamable-http", "url": remote}]
        })
    }

    #[test]
    fn catalog_card_and_remote_pass() {
        let routes = vec![
            json(CATALOG, &catalog_with(&format!("{ORIGIN}/mcp/server-card"))),
            json("/mcp/server-card", &card(&format!("{ORIGIN}/mcp"))),
        ];
        assert_eq!(judge(routes, ORIGIN), (Outcome::Pass, vec![]));
        // The reserved location of an MCP target.
        let routes = vec![json("/mcp/server-card", &card(&format!("{ORIGIN}/mcp")))];
        assert_eq!(judge(routes, &format!("{ORIGIN}/mcp")), (Outcome::Pass, vec![]));
        // The research's valid catalogs (inline cards among them).
        let routes = vec![json(CATALOG, &standard("ai-catalog/valid-multi-nested.json"))];
        assert_ne!(judge(routes, ORIGIN).0, Outcome::Fail);
    }

    #[test]
    fn malformed_documents_fail_and_weak_cards_warn() {
        let routes = vec![json(CATALOG, &standard("ai-catalog/invalid-url-and-data.json"))];
        let (o, codes) = judge(routes, ORIGIN);
        assert_eq!(o, Outcome::Fail);
        assert!(codes.contains(&"mcp-server-card-catalog-malformed".to_string()), "{codes:?}");
        for (f, code) in [
            ("server-card/invalid-bad-name-and-schema.json", "mcp-server-card-malformed"),
            ("server-card/invalid-literal-secret.json", "mcp-server-card-literal-secret"),
        ] {
            let routes = vec![
                json(CATALOG, &catalog_with(&format!("{ORIGIN}/card.json"))),
                json("/card.json", &standard(f)),
            ];
            let (o, codes) = judge(routes, ORIGIN);
            assert_eq!(o, Outcome::Fail, "{f}");
            assert!(codes.contains(&code.to_string()), "{f}: {codes:?}");
        }
        let routes = vec![
            json(CATALOG, &catalog_with(&format!("{ORIGIN}/card.json"))),
            json("/card.json", &standard("server-card/valid-minimal.json")),
        ];
        assert_eq!(
            judge(routes, ORIGIN),
            (Outcome::Warn, vec!["mcp-server-card-no-remote".to_string()])
        );
        // A card the catalog names that is not there.
        let routes = vec![json(CATALOG, &catalog_with(&format!("{ORIGIN}/gone.json")))];
        assert_eq!(
            judge(routes, ORIGIN),
            (Outcome::Warn, vec!["mcp-server-card-unreachable".to_string()])
        );
        // Not JSON at all.
        let routes = vec![route(CATALOG, 200, "application/json", "{")];
        assert_eq!(
            judge(routes, ORIGIN),
            (Outcome::Fail, vec!["mcp-server-card-catalog-malformed".to_string()])
        );
    }

    #[test]
    fn nothing_announced_skips() {
        assert_eq!(judge(vec![], ORIGIN).0, Outcome::Skip);
        assert_eq!(judge(vec![], &format!("{ORIGIN}/mcp")).0, Outcome::Skip);
    }
}
