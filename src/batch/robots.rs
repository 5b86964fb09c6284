//! robots.txt (RFC 9309), as the batch scanner reads it.
//!
//! Only the group that applies to agentready is kept: the groups naming the
//! product token `agentready` (case-insensitive), or else the `*` groups;
//! rules from several matching groups are combined (§2.2.1). A URL is
//! allowed unless the longest matching rule is a `disallow`; on equal length
//! `allow` wins (§2.2.2). Patterns support `*` and a final `$` (§2.2.3).
//! `/robots.txt` itself is always allowed (§2.2.2). At most 512 KiB of a
//! file are parsed (§2.5 asks for at least 500 KiB), and the rules kept
//! hold at most [`MAX_RULE_BYTES`] of patterns, which bounds both memory
//! and the cost of matching a path.

/// The product token agentready answers to in robots.txt.
pub const PRODUCT_TOKEN: &str = "agentready";
/// Bytes of a robots.txt parsed at most.
pub const MAX_BYTES: usize = 512 * 1024;
/// Pattern bytes kept per origin at most (the longest files are not about us).
pub const MAX_RULE_BYTES: usize = 32 * 1024;

/// One allow or disallow rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules of one origin that apply to agentready.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<Rule>,
}

/// What the robots.txt of an origin says for agentready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Robots {
    /// Every path is allowed (no file, 4xx, or no group applies).
    AllowAll,
    /// The rules to apply.
    Rules(Rules),
    /// Nothing may be fetched: why (the file's server error or the network
    /// error), and the error kind to record for probes not sent.
    DisallowAll {
        /// Error kind for probes not sent (`robots`, or the network error's).
        kind: String,
        /// Why.
        reason: String,
    },
}

impl Robots {
    /// Approximate heap size, for the cache's budget.
    pub fn weight(&self) -> usize {
        match self {
            Robots::Rules(r) => r.rules.iter().map(|r| r.pattern.len() + 32).sum(),
            Robots::DisallowAll { reason, .. } => reason.len(),
            Robots::AllowAll => 0,
        }
    }
}

fn product_token(value: &str) -> &str {
    let end = value
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(value.len());
    &value[..end]
}

/// Parse a robots.txt body and keep what applies to agentready.
pub fn parse(body: &[u8]) -> Rules {
    let body = &body[..body.len().min(MAX_BYTES)];
    let text = String::from_utf8_lossy(body);
    let mut ours: Vec<Rule> = Vec::new();
    let mut star: Vec<Rule> = Vec::new();
    let mut named_us = false;
    let (mut ours_bytes, mut star_bytes) = (0usize, 0usize);
    // The current group: which agents it names, and whether rules started.
    let (mut g_ours, mut g_star, mut in_rules) = (false, false, false);
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        match key.as_str() {
            "user-agent" => {
                if in_rules {
                    (g_ours, g_star, in_rules) = (false, false, false);
                }
                if value == "*" {
                    g_star = true;
                } else if product_token(value).eq_ignore_ascii_case(PRODUCT_TOKEN) {
                    g_ours = true;
                    named_us = true;
                }
            }
            "allow" | "disallow" => {
                in_rules = true;
                // An empty disallow allows everything: no rule.
                if value.is_empty() {
                    continue;
                }
                let rule = Rule {
                    allow: key == "allow",
                    pattern: normalise_pattern(value),
                };
                let len = rule.pattern.len();
                if g_ours && ours_bytes + len <= MAX_RULE_BYTES {
                    ours_bytes += len;
                    ours.push(rule.clone());
                }
                if g_star && star_bytes + len <= MAX_RULE_BYTES {
                    star_bytes += len;
                    star.push(rule);
                }
            }
            // sitemap, crawl-delay and others are not rules (§2.2.4).
            _ => {}
        }
    }
    Rules {
        rules: if named_us { ours } else { star },
    }
}

/// Percent-encode what a URL path would have encoded (non-ASCII, spaces),
/// so patterns compare with the path as sent.
fn normalise_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii() && !c.is_ascii_control() && c != ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

impl Rules {
    /// The rule that decides for `path` (path and query, as sent): its
    /// pattern when it disallows, `None` when the path is allowed.
    pub fn disallowed_by(&self, path: &str) -> Option<&str> {
        if path == "/robots.txt" {
            return None;
        }
        let mut best: Option<&Rule> = None;
        for r in &self.rules {
            if !matches(&r.pattern, path) {
                continue;
            }
            best = match best {
                None => Some(r),
                Some(b) if r.pattern.len() > b.pattern.len() => Some(r),
                Some(b) if r.pattern.len() == b.pattern.len() && r.allow && !b.allow => Some(r),
                keep => keep,
            };
        }
        best.filter(|r| !r.allow).map(|r| r.pattern.as_str())
    }

    /// Number of rules kept.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when no rule applies (everything is allowed).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Does `pattern` (with `*` and a final `$`) match a prefix of `path`?
fn matches(pattern: &str, path: &str) -> bool {
    let (pat, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p.as_bytes(), true),
        None => (pattern.as_bytes(), false),
    };
    let s = path.as_bytes();
    // Glob matching with `*` only, greedy with backtracking to the last
    // star: linear in practice, O(len(pattern) × len(path)) at worst.
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pat.len() {
            if !anchored || i == s.len() {
                return true;
            }
        } else if pat[p] == b'*' {
            star = Some((p, i));
            p += 1;
            continue;
        } else if i < s.len() && pat[p] == s[i] {
            p += 1;
            i += 1;
            continue;
        }
        // Mismatch (or anchored end not reached): widen the last star.
        match star {
            Some((sp, si)) if si < s.len() => {
                star = Some((sp, si + 1));
                p = sp + 1;
                i = si + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Rules {
        parse(text.as_bytes())
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let r = rules("User-agent: *\nDisallow: /\nAllow: /.well-known/\n");
        assert_eq!(r.disallowed_by("/api"), Some("/"));
        assert_eq!(
            r.disallowed_by("/.well-known/oauth-authorization-server"),
            None
        );
        let r = rules("user-agent: *\nallow: /p\ndisallow: /p\n");
        assert_eq!(r.disallowed_by("/page"), None);
        assert_eq!(r.disallowed_by("/robots.txt"), None);
    }

    #[test]
    fn our_group_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: AgentReady/1.0\nUser-agent: other\nDisallow: /private\n";
        let r = rules(text);
        assert_eq!(r.disallowed_by("/.well-known/openid-configuration"), None);
        assert_eq!(r.disallowed_by("/private/x"), Some("/private"));
        // A group for another agent does not apply.
        let r = rules("User-agent: googlebot\nDisallow: /\n");
        assert!(r.is_empty());
        assert_eq!(r.disallowed_by("/x"), None);
    }

    #[test]
    fn groups_combine_and_start_on_user_agent_after_rules() {
        let text = "user-agent: a\nuser-agent: agentready\ndisallow: /one\nuser-agent: b\ndisallow: /two\nuser-agent: agentready\ndisallow: /three # c\n";
        let r = rules(text);
        assert_eq!(r.len(), 2);
        assert!(r.disallowed_by("/one").is_some());
        assert!(r.disallowed_by("/two").is_none());
        assert!(r.disallowed_by("/three").is_some());
    }

    #[test]
    fn wildcards_and_anchors() {
        let r = rules("User-agent: *\nDisallow: /*.json$\nDisallow: /a*/b\nDisallow:\n");
        assert!(r.disallowed_by("/x/y.json").is_some());
        assert!(r.disallowed_by("/x/y.json?q").is_none());
        assert!(r.disallowed_by("/aaa/zz/b/c").is_some());
        assert!(r.disallowed_by("/b").is_none());
        assert!(matches("/*", "/"));
        assert!(matches("*", ""));
        assert!(matches("/a$", "/a"));
        assert!(!matches("/a$", "/ab"));
        assert!(matches("/a*b*c$", "/axxbyyc"));
        assert!(!matches("/a*b*c$", "/axxbyycd"));
    }

    #[test]
    fn hostile_files_are_bounded() {
        let mut big = String::from("User-agent: *\n");
        for i in 0..10_000 {
            big.push_str(&format!("Disallow: /p{i:05}\n"));
        }
        assert_eq!(rules(&big).len(), MAX_RULE_BYTES / 7);
        let r = parse(&[0xff, 0xfe, b'\n', b':', b'\n']);
        assert!(r.is_empty());
        let long = format!("User-agent: *\nDisallow: /{}", "*a".repeat(2000));
        let r = rules(&long);
        assert!(r.disallowed_by(&"/b".repeat(3000)).is_none());
    }
}
