//! Discovery cards: the A2A agent card, the AI catalog and the MCP server
//! cards of a scan, each with what its URL answered ([`DocState`]: a site
//! that answers every path finds none) and, when found, what it says.

use super::{DocState, state_of};
use crate::evidence::Evidence;
use crate::model::probe::{AGENT_CARD, AI_CATALOG, ProbeMeta};
use crate::parse::cards::{AgentCard, CardEntry, Catalog, ServerCard, agent_card, catalog, server_card};
use std::sync::Arc;

/// One card URL probed.
#[derive(Debug, Clone)]
pub struct CardDoc<T> {
    /// Probe id.
    pub probe: String,
    /// The URL requested.
    pub url: String,
    /// What it answered.
    pub state: DocState,
    /// What the document says, when one was found.
    pub card: Option<T>,
}

/// A server card found: fetched, or inline in the catalog.
#[derive(Debug, Clone)]
pub struct FoundServerCard {
    /// The probe of the card (or of the catalog holding it).
    pub probe: String,
    /// Where it is (the card URL, or the catalog URL).
    pub url: String,
    /// True when it was inline in the catalog.
    pub inline: bool,
    /// What it says.
    pub card: ServerCard,
}

/// Every card of the scan.
#[derive(Debug, Clone, Default)]
pub struct CardsView {
    /// The agent card probe, if sent.
    pub agent: Option<CardDoc<AgentCard>>,
    /// The AI catalog probe, if sent.
    pub catalog: Option<CardDoc<Catalog>>,
    /// Every server-card probe sent.
    pub servers: Vec<CardDoc<ServerCard>>,
    /// Every server card found (fetched or inline), in probe order.
    pub found: Vec<FoundServerCard>,
}

impl CardsView {
    /// The agent card, when one was found.
    pub fn agent_card(&self) -> Option<(&str, &AgentCard)> {
        let a = self.agent.as_ref()?;
        a.card.as_ref().map(|c| (a.probe.as_str(), c))
    }

    /// The URLs of the server cards the catalog names.
    pub fn catalog_card_urls(&self) -> Vec<(&str, &str)> {
        let Some(c) = &self.catalog else {
            return Vec::new();
        };
        c.card
            .iter()
            .flat_map(|cat| cat.cards.iter())
            .filter_map(|e| match e {
                CardEntry::Url(u) => Some((c.probe.as_str(), u.as_str())),
                CardEntry::Data(_) => None,
            })
            .collect()
    }
}

fn doc<T>(ev: &Evidence, probe: &str, read: impl Fn(&serde_json::Value) -> T) -> Option<CardDoc<T>> {
    let rec = ev.record(probe)?;
    let x = ev.exchange(rec.exchange)?;
    let state = state_of(ev, rec.exchange, x);
    let card = state.doc().map(|v| read(v));
    Some(CardDoc {
        probe: probe.to_string(),
        url: x.request.url.clone(),
        state,
        card,
    })
}

/// The cards of the scan (memoised).
pub fn cards_view(ev: &Evidence) -> Arc<CardsView> {
    ev.view(|ev| {
        let agent = doc(ev, AGENT_CARD, agent_card);
        let catalog = doc(ev, AI_CATALOG, catalog);
        let servers: Vec<CardDoc<ServerCard>> = ev
            .probes_where(|m| matches!(m, ProbeMeta::ServerCard { .. }))
            .filter_map(|(p, _)| doc(ev, p, server_card))
            .collect();
        let mut found: Vec<FoundServerCard> = Vec::new();
        if let Some(c) = &catalog {
            for e in c.card.iter().flat_map(|cat| cat.cards.iter()) {
                if let CardEntry::Data(d) = e {
                    found.push(FoundServerCard {
                        probe: c.probe.clone(),
                        url: c.url.clone(),
                        inline: true,
                        card: server_card(d),
                    });
                }
            }
        }
        for s in &servers {
            if let Some(card) = &s.card {
                found.push(FoundServerCard {
                    probe: s.probe.clone(),
                    url: s.url.clone(),
                    inline: false,
                    card: card.clone(),
                });
            }
        }
        CardsView {
            agent,
            catalog,
            servers,
            found,
        }
    })
}
