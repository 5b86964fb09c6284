//! The RFC 7592 §2.3 deletion of a client that a registration probe created
//! although it was designed to be rejected (derived as soon as the
//! registration's answer arrives, not in a later round).

use crate::gather::http::RequestSpec;
use crate::gather::plan::PlannedProbe;
use crate::model::exchange::Exchange;
use crate::model::probe::{ProbeMeta, REGISTRATION_CLEANUP};
use url::Url;

/// When the answer to a registration probe created a client (2xx with a
/// `client_id`): the RFC 7592 §2.3 request that deletes it — `DELETE` of
/// the `registration_client_uri` with the `registration_access_token` as a
/// bearer token — and, when it must not be sent, why. `None` when nothing
/// was created, or when the answer gives no way to delete the client (the
/// check then reports the client as left behind).
///
/// The deletion is sent only to the registration endpoint's own origin:
/// a hostile server must not make the scanner send a `DELETE` elsewhere.
/// The token is read here, from the raw answer, before
/// [`crate::gather::issued::redact_exchange`] takes it out of the evidence.
pub fn registration_cleanup(
    registration_probe: &str,
    registration_url: &Url,
    x: &Exchange,
) -> Option<(PlannedProbe, Option<String>)> {
    let resp = x.response.as_ref()?;
    if !resp.is_success() || resp.truncated {
        return None;
    }
    let doc: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    let client_id = doc.get("client_id")?.as_str().filter(|s| !s.is_empty())?;
    let uri = doc.get("registration_client_uri")?.as_str()?;
    let token = doc.get("registration_access_token")?.as_str()?;
    let url = registration_url.join(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let probe = PlannedProbe {
        id: format!("{REGISTRATION_CLEANUP}@{registration_url}"),
        meta: ProbeMeta::RegistrationCleanup {
            registration: registration_probe.to_string(),
            client_id: client_id.to_string(),
        },
        request: RequestSpec {
            large_body: false,
            method: reqwest::Method::DELETE,
            url: url.clone(),
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("authorization".into(), format!("Bearer {token}")),
            ],
            body: None,
        },
    };
    let refusal = (crate::model::target::origin_of(&url) != crate::model::target::origin_of(registration_url))
        .then(|| {
            format!(
                "not sent: registration_client_uri {url} is not on the registration endpoint's origin; agentready sends the deletion only there"
            )
        });
    Some((probe, refusal))
}
