//! robots.txt (RFC 9309), as the batch scanner reads it.
//!
//! Only the group that applies to agentready is kept: the groups naming the
//! product token `agentready` (case-insensitive), or else the `*` groups;
//! rules from several matching groups are combined (§2.2.1). A URL is
//! allowed unless the longest matching rule is a `disallow`; on equal length
//! `allow` wins (§2.2.2). Patterns support `*` and a final `$` (§2.2.3).
//! `/robots.txt` itself is always allowed (§2.2.2). Lines end at LF, CR or
//! CRLF (§2.2), a leading byte-order mark is ignored, and percent-escapes
//! compare without regard to the case of their hex digits (RFC 3986
//! §6.2.2.1). At most 512 KiB of a file are parsed (§2.5 asks for at least
//! 500 KiB); a line cut by that limit or by the body cap is dropped, not
//! read as a shorter rule. The rules kept take at most [`MAX_RULE_BYTES`]
//! (patterns plus [`RULE_OVERHEAD`] each), which bounds both memory and the
//! cost of matching a path; a file whose rules for agentready do not fit
//! is [`Rules::overflowed`], and the scanner then fetches nothing from the
//! origin rather than follow part of it.

/// The product token agentready answers to in robots.txt.
pub const PRODUCT_TOKEN: &str = "agentready";
/// Bytes of a robots.txt parsed at most.
pub const MAX_BYTES: usize = 512 * 1024;
/// Bytes of rules kept per origin at most, counting [`RULE_OVERHEAD`] per
/// rule: about a thousand rules of real length.
pub const MAX_RULE_BYTES: usize = 64 * 1024;
/// What a rule costs beside its pattern's bytes.
pub const RULE_OVERHEAD: usize = std::mem::size_of::<Rule>() + 8;

/// One allow or disallow rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: Box<str>,
}

/// The rules of one origin that apply to agentready.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<Rule>,
    overflowed: bool,
}

fn product_token(value: &str) -> &str {
    let end = value
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(value.len());
    &value[..end]
}

/// Parse a robots.txt body and keep what applies to agentready. `cut`:
/// the body is not the whole file (the fetch stopped at its size cap).
pub fn parse(body: &[u8], cut: bool) -> Rules {
    let mut body = &body[..body.len().min(MAX_BYTES)];
    if cut || body.len() == MAX_BYTES {
        // The last line may be a fragment (`Disallow: /private` cut to
        // `Disallow: /`): keep whole lines only.
        let end = body
            .iter()
            .rposition(|b| *b == b'\n' || *b == b'\r')
            .map_or(0, |i| i + 1);
        body = &body[..end];
    }
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut ours: Vec<Rule> = Vec::new();
    let mut star: Vec<Rule> = Vec::new();
    let mut named_us = false;
    let (mut ours_bytes, mut star_bytes) = (0usize, 0usize);
    let (mut ours_over, mut star_over) = (false, false);
    // The current group: which agents it names, and whether rules started.
    let (mut g_ours, mut g_star, mut in_rules) = (false, false, false);
    for raw in text.split(['\n', '\r']) {
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
                    pattern: normalise_pattern(value).into(),
                };
                let cost = rule.pattern.len() + RULE_OVERHEAD;
                if g_ours {
                    if ours_bytes + cost <= MAX_RULE_BYTES {
                        ours_bytes += cost;
                        ours.push(rule.clone());
                    } else {
                        ours_over = true;
                    }
                }
                if g_star {
                    if star_bytes + cost <= MAX_RULE_BYTES {
                        star_bytes += cost;
                        star.push(rule);
                    } else {
                        star_over = true;
                    }
                }
            }
            // sitemap, crawl-delay and others are not rules (§2.2.4).
            _ => {}
        }
    }
    let (mut rules, overflowed) = if named_us {
        (ours, ours_over)
    } else {
        (star, star_over)
    };
    rules.shrink_to_fit();
    Rules { rules, overflowed }
}

/// Percent-escapes with upper-case hex digits (`%2f` → `%2F`), so that a
/// pattern and a path compare as RFC 3986 §6.2.2.1 says they are equal.
fn upper_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    let hex = |i: usize| {
        b.get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
    };
    let lower =
        |i: usize| b[i] == b'%' && hex(i).is_some_and(|h| h.iter().any(u8::is_ascii_lowercase));
    if !(0..b.len()).any(lower) {
        return std::borrow::Cow::Borrowed(s);
    }
    // Escapes never overlap (a `%` is not a hex digit): upper-case in place.
    let mut out = b.to_vec();
    for i in (0..b.len()).filter(|&i| lower(i)) {
        out[i + 1].make_ascii_uppercase();
        out[i + 2].make_ascii_uppercase();
    }
    // Only ASCII hex digits changed case: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| s.to_string()))
}

/// Percent-encode what a URL path would have encoded (non-ASCII, spaces),
/// so patterns compare with the path as sent.
fn normalise_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in upper_escapes(p).chars() {
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
        let path = upper_escapes(path);
        let mut best: Option<&Rule> = None;
        for r in &self.rules {
            if !matches(&r.pattern, &path) {
                continue;
            }
            best = match best {
                None => Some(r),
                Some(b) if r.pattern.len() > b.pattern.len() => Some(r),
                Some(b) if r.pattern.len() == b.pattern.len() && r.allow && !b.allow => Some(r),
                keep => keep,
            };
        }
        best.filter(|r| !r.allow).map(|r| &*r.pattern)
    }

    /// The file held more rules for agentready than [`MAX_RULE_BYTES`]:
    /// the rules kept are not all of them, so no verdict is sure.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Bytes the rules hold, counted as the budget counts them.
    pub fn weight(&self) -> usize {
        self.rules
            .iter()
            .map(|r| r.pattern.len() + RULE_OVERHEAD)
            .sum()
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
        parse(text.as_bytes(), false)
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
    fn byte_order_mark_and_every_line_ending() {
        let r = rules("\u{feff}User-agent: *\nDisallow: /private\n");
        assert_eq!(r.disallowed_by("/private/x"), Some("/private"));
        let r = rules("User-agent: *\rDisallow: /cr\rAllow: /cr/ok\r");
        assert_eq!(r.disallowed_by("/cr/x"), Some("/cr"));
        assert_eq!(r.disallowed_by("/cr/ok"), None);
        let r = rules("User-agent: *\r\nDisallow: /crlf\r\n");
        assert_eq!(r.disallowed_by("/crlf"), Some("/crlf"));
    }

    #[test]
    fn a_cut_last_line_is_not_read_as_a_shorter_rule() {
        let text = b"User-agent: *\nDisallow: /a\nDisallow: /private";
        // Cut by the body cap: `Disallow: /private` may have been longer.
        let r = parse(&text[..text.len() - 7], true);
        assert_eq!(r.len(), 1);
        assert_eq!(r.disallowed_by("/x"), None, "not `Disallow: /`");
        // A whole file may end without a line break.
        assert_eq!(parse(text, false).len(), 2);
        // Past 512 KiB the file is cut too.
        let mut long = b"User-agent: *\nDisallow: /a\n".to_vec();
        long.resize(MAX_BYTES - 3, b'#');
        long.extend_from_slice(b"\nDisallow: /private\n");
        let r = parse(&long, false);
        assert_eq!(r.disallowed_by("/b"), None);
        assert_eq!(r.disallowed_by("/a"), Some("/a"));
    }

    #[test]
    fn percent_escapes_compare_without_case() {
        let r = rules("User-agent: *\nDisallow: /a%2fb\nDisallow: /%E2%82%AC\n");
        assert_eq!(r.disallowed_by("/a%2Fb"), Some("/a%2Fb"));
        assert_eq!(r.disallowed_by("/a%2fb/c"), Some("/a%2Fb"));
        assert_eq!(r.disallowed_by("/%e2%82%ac"), Some("/%E2%82%AC"));
        assert_eq!(
            r.disallowed_by("/a/b"),
            None,
            "an escaped slash is not a slash"
        );
        assert_eq!(upper_escapes("/%zz%4"), "/%zz%4");
    }

    #[test]
    fn hostile_files_are_bounded() {
        let mut big = String::from("User-agent: *\n");
        for i in 0..10_000 {
            big.push_str(&format!("Disallow: /p{i:05}\n"));
        }
        let r = rules(&big);
        assert_eq!(r.len(), MAX_RULE_BYTES / ("/p00000".len() + RULE_OVERHEAD));
        assert!(r.overflowed(), "rules were dropped: no verdict is sure");
        assert!(!rules("User-agent: *\nDisallow: /p\n").overflowed());
        // The same line a million times costs as much as distinct ones.
        let same = format!("User-agent: *\n{}", "Disallow: /\n".repeat(100_000));
        assert!(rules(&same).len() * (1 + RULE_OVERHEAD) <= MAX_RULE_BYTES);
        // Another agent's overflowing group does not matter.
        let theirs = big.replace("User-agent: *", "User-agent: other");
        assert!(!rules(&theirs).overflowed());
        let r = parse(&[0xff, 0xfe, b'\n', b':', b'\n'], false);
        assert!(r.is_empty());
        let long = format!("User-agent: *\nDisallow: /{}", "*a".repeat(2000));
        let r = rules(&long);
        assert!(r.disallowed_by(&"/b".repeat(3000)).is_none());
    }
}
