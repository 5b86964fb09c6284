//! Discovery cards: the MCP server cards an AI catalog names (same site,
//! at most `MAX_SERVER_CARDS`), the MCP endpoints server cards announce
//! (their `remotes`, probed as API candidates, at most
//! `MAX_CARD_REMOTES`), and the authorization servers an A2A agent card's
//! security schemes name (at most `MAX_CARD_ISSUERS`).

use super::Context;
use super::descriptions::issuer_of_metadata_url;
use crate::evidence::views::cards::cards_view;
use crate::gather::plan::{
    MAX_CARD_ISSUERS, MAX_CARD_REMOTES, MAX_SERVER_CARDS, PlannedProbe, SERVER_CARD_ACCEPT,
    api_probes, as_metadata_probes, get,
};
use crate::model::api::SchemeKind;
use crate::model::probe::{ApiSource, IssuerSource, Needs, ProbeMeta, SERVER_CARD, ServerCardSource};
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    let target_host = cx.target.url.host_str().unwrap_or_default();
    let same_site = |u: &Url| {
        matches!(u.scheme(), "http" | "https")
            && crate::parse::links::same_site(target_host, u.host_str().unwrap_or_default())
    };
    let cards = cards_view(cx.evidence);
    // Server cards a catalog names.
    {
        let fetched = cx
            .evidence
            .probes_where(|m| {
                matches!(
                    m,
                    ProbeMeta::ServerCard {
                        via: ServerCardSource::Catalog { .. }
                    }
                )
            })
            .count();
        let mut budget = MAX_SERVER_CARDS.saturating_sub(fetched);
        for (catalog, href) in cards.catalog_card_urls() {
            let id = format!("{SERVER_CARD}@{href}");
            if cx.evidence.record(&id).is_some() || budget == 0 {
                continue;
            }
            let Ok(url) = Url::parse(href) else { continue };
            if !same_site(&url) {
                continue;
            }
            budget -= 1;
            out.push(PlannedProbe {
                id,
                meta: ProbeMeta::ServerCard {
                    via: ServerCardSource::Catalog {
                        catalog: catalog.to_string(),
                    },
                },
                request: get(url, SERVER_CARD_ACCEPT, cx.target),
            });
        }
    }
    // The MCP endpoints server cards announce.
    if cx.plan.needs.contains(Needs::API) {
        let known: Vec<String> = cx
            .evidence
            .probes_where(|m| matches!(m, ProbeMeta::Api { .. }))
            .filter_map(|(_, r)| match &r.meta {
                ProbeMeta::Api { url, .. } => Some(url.clone()),
                _ => None,
            })
            .collect();
        let mut taken = cx
            .evidence
            .probes_where(|m| {
                matches!(
                    m,
                    ProbeMeta::Api {
                        source: ApiSource::ServerCard { .. },
                        invalid_token: false,
                        ..
                    }
                )
            })
            .count();
        let mut planned: Vec<String> = Vec::new();
        for card in &cards.found {
            for remote in &card.card.remotes {
                let Ok(url) = Url::parse(&remote.url) else {
                    continue; // a template needs the user's values
                };
                if !same_site(&url)
                    || known.iter().chain(&planned).any(|k| k == url.as_str())
                    || taken >= MAX_CARD_REMOTES
                {
                    continue;
                }
                taken += 1;
                planned.push(url.to_string());
                out.extend(api_probes(
                    &format!("{SERVER_CARD}-remote@{url}"),
                    &url,
                    ApiSource::ServerCard {
                        probe: card.probe.clone(),
                    },
                    cx.opts.mode,
                ));
            }
        }
    }
    // The authorization servers an agent card names.
    if cx.plan.needs.contains(Needs::AS_METADATA)
        && let Some((card_probe, card)) = cards.agent_card()
    {
        let probed: Vec<String> = cx
            .evidence
            .probes_where(|m| matches!(m, ProbeMeta::AsMetadata { .. }))
            .filter_map(|(_, r)| match &r.meta {
                ProbeMeta::AsMetadata { issuer, .. } => Some(issuer.clone()),
                _ => None,
            })
            .collect();
        let from_card = cx
            .evidence
            .probes_where(|m| {
                matches!(
                    m,
                    ProbeMeta::AsMetadata {
                        source: IssuerSource::AgentCard { .. },
                        ..
                    }
                )
            })
            .count();
        if from_card > 0 {
            return out;
        }
        let source = IssuerSource::AgentCard {
            card: card_probe.to_string(),
        };
        let mut issuers: Vec<String> = Vec::new();
        for s in &card.schemes {
            // A metadata URL names its issuer; a flow's URLs name a host
            // whose origin is the issuer to try (the MCP 2025-03-26
            // "authorization base URL" reading).
            let mut candidates: Vec<(String, Option<String>)> = Vec::new();
            match &s.kind {
                SchemeKind::OpenIdConnect { url } => {
                    if let Some((issuer, ..)) = issuer_of_metadata_url(url) {
                        candidates.push((issuer, Some(url.clone())));
                    }
                }
                SchemeKind::OAuth2 {
                    flows,
                    metadata_url,
                } => {
                    if let Some(url) = metadata_url
                        && let Some((issuer, ..)) = issuer_of_metadata_url(url)
                    {
                        candidates.push((issuer, Some(url.clone())));
                    }
                    for f in flows {
                        for u in [&f.token_url, &f.authorization_url, &f.device_authorization_url]
                            .into_iter()
                            .flatten()
                        {
                            if let Ok(parsed) = Url::parse(u) {
                                candidates
                                    .push((crate::model::target::origin_of(&parsed), None));
                            }
                        }
                    }
                }
                _ => {}
            }
            for (issuer, url) in candidates {
                if issuers.len() >= MAX_CARD_ISSUERS
                    || issuers.contains(&issuer)
                    || probed.contains(&issuer)
                {
                    continue;
                }
                issuers.push(issuer.clone());
                match url {
                    // Exactly the URL the card names.
                    Some(url) => {
                        let (Some((issuer, form, order)), Ok(parsed)) =
                            (issuer_of_metadata_url(&url), Url::parse(&url))
                        else {
                            continue;
                        };
                        out.push(PlannedProbe {
                            id: format!("as-metadata@agent-card:{url}"),
                            meta: ProbeMeta::AsMetadata {
                                issuer,
                                form,
                                order,
                                source: source.clone(),
                            },
                            request: get(parsed, "application/json", cx.target),
                        });
                    }
                    None => out.extend(as_metadata_probes(
                        cx.target,
                        &issuer,
                        &format!("@agent-card:{issuer}"),
                        &source,
                    )),
                }
            }
        }
    }
    out
}
