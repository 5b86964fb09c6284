//! API descriptions: the catalog's and `Link` headers' links, else the
//! conventional locations; then what the descriptions found name (their
//! `servers` on the target's own site, the metadata URLs of their security
//! schemes).

use super::Context;
use crate::evidence::views::descriptions::{announced_links, found};
use crate::gather::plan::PlannedProbe;
use crate::gather::plan::{
    MAX_DESCRIPTION_ISSUERS, MAX_LINKED_DESCRIPTIONS, MAX_SERVER_URLS, api_probes, get, is_mcp_url,
    issuer_metadata_urls,
};
use crate::model::probe::{
    API_CATALOG, API_DESCRIPTION, API_SERVER, ApiForm, ApiSource, DescriptionSource, IssuerSource,
    MetadataForm, Needs, OPENAPI_LOCATION, ProbeMeta,
};
use crate::model::target::TargetKind;
use url::Url;

/// The probes this step derives from the evidence so far.
pub(super) fn probes(cx: &Context<'_>) -> Vec<PlannedProbe> {
    let (target, evidence, opts, plan) = (cx.target, cx.evidence, cx.opts, cx.plan);
    let mut out = Vec::new();
    // Nothing derives before the catalog answered.
    if evidence.record(API_CATALOG).is_none() {
        return out;
    }
    let target_host = target.url.host_str().unwrap_or_default();
    let followed = evidence
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if via.announced()))
        .count();
    let links = announced_links(evidence);
    let links = &links[..];
    let mut budget = MAX_LINKED_DESCRIPTIONS.saturating_sub(followed);
    for (href, via) in links {
        let id = format!("{API_DESCRIPTION}@{href}");
        if evidence.record(&id).is_some() {
            continue;
        }
        let Ok(url) = Url::parse(href) else { continue };
        if budget == 0
            || !matches!(url.scheme(), "http" | "https")
            || !crate::parse::links::same_site(target_host, url.host_str().unwrap_or_default())
        {
            continue;
        }
        budget -= 1;
        let mut request = get(url, crate::parse::description::DESCRIPTION_ACCEPT, target);
        request.large_body = true;
        out.push(PlannedProbe {
            id,
            meta: ProbeMeta::ApiDescription { via: via.clone() },
            request,
        });
    }
    // Guess only when nothing announced a machine-readable description.
    let announced_desc = links
        .iter()
        .any(|(_, via)| via.rel() == Some("service-desc"));
    let guessed = evidence
        .probes_where(|m| matches!(m, ProbeMeta::ApiDescription { via } if !via.announced()))
        .next()
        .is_some();
    if !announced_desc && !guessed && followed == 0 {
        // Guesses keep the ordinary body cap: only a description the target
        // announces gets the raised one, so a site that answers every path
        // with a huge body costs no more memory than before.
        // An MCP endpoint is not an API base URL: no relative guesses.
        let base = match target.kind {
            TargetKind::Mcp => Url::parse(&format!("{}/", target.origin())).ok(),
            _ => Some(target.url.clone()),
        };
        let urls = base
            .map(|b| crate::parse::description::conventional_urls(&target.origin(), &b))
            .unwrap_or_default();
        for (path, url) in urls {
            let request = get(url, crate::parse::description::DESCRIPTION_ACCEPT, target);
            out.push(PlannedProbe {
                id: format!("{OPENAPI_LOCATION}@{path}"),
                meta: ProbeMeta::ApiDescription {
                    via: DescriptionSource::Conventional { path },
                },
                request,
            });
        }
    }
    // What the descriptions found name.
    let found = found(evidence);
    let mut servers: Vec<String> = evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::Api {
                    source: ApiSource::ApiDescription { .. },
                    invalid_token: false,
                    ..
                }
            )
        })
        .filter_map(|(_, r)| match &r.meta {
            ProbeMeta::Api { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect();
    let bare_domain = target.kind == TargetKind::Origin && opts.api_urls.is_empty();
    let mut issuers: Vec<String> = evidence
        .probes_where(|m| {
            matches!(
                m,
                ProbeMeta::AsMetadata {
                    source: IssuerSource::ApiDescription { .. },
                    ..
                }
            )
        })
        .filter_map(|(_, r)| evidence.exchange(r.exchange))
        .map(|x| x.request.url.clone())
        .collect();
    for f in found.iter() {
        let crate::evidence::views::descriptions::DescState::Found(desc) = &f.state else {
            continue;
        };
        if bare_domain
            && (plan.needs.contains(Needs::API) || plan.needs.contains(Needs::API_RESOURCES))
        {
            for server in &desc.servers {
                let Ok(mut url) = Url::parse(server) else {
                    continue;
                };
                // An OpenAPI server URL is a base that operation paths
                // (which start with `/`) are appended to: its trailing
                // slash is no part of it. `/api/v1/` is the base `/api/v1`,
                // requested once, not a second request that a framework
                // redirects to the first (OpenAPI 3.1 §4.8.5, §4.8.8).
                if url.path().len() > 1 && url.path().ends_with('/') {
                    let trimmed = url.path().trim_end_matches('/').to_string();
                    url.set_path(if trimmed.is_empty() { "/" } else { &trimmed });
                }
                // Only the target's own site: descriptions often name
                // placeholder or third-party hosts (`api.example.com`).
                let own =
                    crate::parse::links::same_site(target_host, url.host_str().unwrap_or_default());
                if !own
                    || servers.iter().any(|s| s == url.as_str())
                    || servers.len() >= MAX_SERVER_URLS
                {
                    continue;
                }
                servers.push(url.to_string());
                if plan.needs.contains(Needs::API) {
                    out.extend(api_probes(
                        &format!("{API_SERVER}@{url}"),
                        &url,
                        ApiSource::ApiDescription {
                            description: f.probe.to_string(),
                        },
                        opts.mode,
                    ));
                }
                if plan.needs.contains(Needs::API_RESOURCES) && !is_mcp_url(&url) {
                    out.push(PlannedProbe {
                        id: format!("api-resource@{url}"),
                        meta: ProbeMeta::ApiResource {
                            form: ApiForm::Server,
                        },
                        request: get(url.clone(), "application/json", target),
                    });
                }
            }
        }
        if plan.needs.contains(Needs::AS_METADATA) {
            for scheme in &desc.schemes {
                let url = match &scheme.kind {
                    crate::model::api::SchemeKind::OpenIdConnect { url } => Some(url),
                    crate::model::api::SchemeKind::OAuth2 { metadata_url, .. } => {
                        metadata_url.as_ref()
                    }
                    _ => None,
                };
                let Some(url) = url else { continue };
                if issuers.iter().any(|u| u == url) || issuers.len() >= MAX_DESCRIPTION_ISSUERS {
                    continue;
                }
                let Some((issuer, form, order)) = issuer_of_metadata_url(url) else {
                    continue;
                };
                let Ok(parsed) = Url::parse(url) else {
                    continue;
                };
                issuers.push(url.clone());
                out.push(PlannedProbe {
                    id: format!("as-metadata@description:{url}"),
                    meta: ProbeMeta::AsMetadata {
                        issuer,
                        form,
                        order,
                        source: IssuerSource::ApiDescription {
                            description: f.probe.to_string(),
                        },
                    },
                    request: get(parsed, "application/json", target),
                });
            }
        }
    }
    out
}

/// Where a metadata URL a description names leads: the issuer it was built
/// from and the form, when it is one of the well-known forms (else it is
/// reported, not followed).
pub fn issuer_of_metadata_url(url: &str) -> Option<(String, MetadataForm, usize)> {
    let parsed = Url::parse(url).ok()?;
    let origin = crate::model::target::origin_of(&parsed);
    let path = parsed.path();
    let issuer = if let Some(rest) = path.strip_prefix("/.well-known/oauth-authorization-server") {
        format!("{origin}{rest}")
    } else if let Some(rest) = path.strip_prefix("/.well-known/openid-configuration") {
        format!("{origin}{rest}")
    } else if let Some(prefix) = path.strip_suffix("/.well-known/openid-configuration") {
        format!("{origin}{prefix}")
    } else {
        return None;
    };
    issuer_metadata_urls(&issuer)?
        .into_iter()
        .enumerate()
        .find(|(_, (_, u))| u == url)
        .map(|(order, (form, _))| (issuer.clone(), form, order))
}
