//! The input of a batch: one target per line, normalised, sharded,
//! de-duplicated; and the `--exclude` opt-out list.
//!
//! A line is trimmed; blank lines and lines whose first character is `#`
//! are ignored. Every other line is a target as `scan` takes it (a bare
//! domain, an origin, an API base URL, an MCP endpoint), normalised by
//! [`Target::parse`]: `Example.COM`, `https://example.com` and
//! `https://example.com:443/` are one target, `https://example.com/`.
//!
//! **Shards.** Target `t` belongs to shard `fnv1a64(t) mod N`, where `t` is
//! the normalised URL's UTF-8 bytes and [`fnv1a64`] is 64-bit FNV-1a
//! (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`): a stable,
//! documented hash that every language can reproduce, unlike Rust's
//! randomised `SipHash`. A line that is not a valid target is assigned by
//! the hash of its trimmed text, so exactly one shard reports it.

use crate::target::Target;
use std::collections::HashSet;
use std::path::Path;

/// 64-bit FNV-1a of `bytes`.
///
/// ```
/// assert_eq!(agentready::batch::input::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
/// assert_eq!(agentready::batch::input::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `--shard I/N`: this run takes shard `I` (0-based) of `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0 ≤ index < count`.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 0, count: 1 }
    }
}

impl Shard {
    /// Parse `I/N` (0-based, as zmap's `--shard`).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("invalid --shard `{s}`: expected I/N with 0 ≤ I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// True when the key `hash` belongs to this shard.
    pub fn owns(&self, hash: u64) -> bool {
        hash % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What one input line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Blank or a `#` comment.
    Ignored,
    /// A target, with the hash of its normalised URL.
    Target(Target, u64),
    /// Not a target: the trimmed text, the reason, and the hash of the text.
    Invalid(String, String, u64),
}

/// Classify one input line.
pub fn parse_line(line: &str) -> Line {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return Line::Ignored;
    }
    match Target::parse(t) {
        Ok(target) => {
            let h = fnv1a64(target.url.as_str().as_bytes());
            Line::Target(target, h)
        }
        Err(e) => Line::Invalid(t.to_string(), e.to_string(), fnv1a64(t.as_bytes())),
    }
}

/// Count the lines of `input` that belong to `shard` (targets and invalid
/// lines alike, duplicates included): the total a progress bar counts to.
pub fn count_lines(input: impl std::io::BufRead, shard: Shard) -> u64 {
    let mut n = 0;
    for line in input.split(b'\n') {
        let Ok(line) = line else { break };
        let owned = match parse_line(&String::from_utf8_lossy(&line)) {
            Line::Ignored => false,
            Line::Target(_, h) | Line::Invalid(_, _, h) => shard.owns(h),
        };
        n += u64::from(owned);
    }
    n
}

/// `--exclude FILE`: domains never contacted. An entry `example.com` (or
/// `*.example.com`, `.example.com`, or a URL whose host is `example.com`)
/// covers `example.com` and every name under it (`api.example.com`), by
/// suffix on label boundaries; an IP address covers itself.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    domains: HashSet<String>,
}

impl Exclusions {
    /// Parse the opt-out list (same comment rules as the input).
    pub fn parse(text: &str) -> Result<Exclusions, String> {
        let mut domains = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let host = if t.contains("://") {
                url::Url::parse(t)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .ok_or_else(|| format!("line {}: `{t}` is not a domain or URL", i + 1))?
            } else {
                let name = t
                    .trim_start_matches("*.")
                    .trim_start_matches('.')
                    .split(['/', ' ', '\t'])
                    .next()
                    .unwrap_or_default();
                // As a URL host: an internationalised name in the ASCII
                // (punycode) form the targets' hosts have, without a port.
                match url::Url::parse(&format!("http://{name}/")) {
                    Ok(u) => u.host_str().unwrap_or_default().to_string(),
                    Err(_) => name
                        .parse::<std::net::IpAddr>()
                        .map(|ip| ip.to_string())
                        .map_err(|_| format!("line {}: `{t}` is not a domain", i + 1))?,
                }
            };
            let host = host
                .trim_end_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            if host.is_empty() || host.contains('*') {
                return Err(format!("line {}: `{t}` is not a domain", i + 1));
            }
            domains.insert(host);
        }
        Ok(Exclusions { domains })
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Exclusions, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read --exclude {}: {e}", path.display()))?;
        Exclusions::parse(&text).map_err(|e| format!("--exclude {}: {e}", path.display()))
    }

    /// The entry that covers `host`, if any.
    pub fn covering(&self, host: &str) -> Option<&str> {
        if self.domains.is_empty() {
            return None;
        }
        let host = host
            .trim_end_matches('.')
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(d) = self.domains.get(rest) {
                return Some(d.as_str());
            }
            match rest.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => return None,
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.domains.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn lines_are_normalised() {
        let Line::Target(a, ha) = parse_line("  Example.COM  ") else {
            panic!()
        };
        let Line::Target(b, hb) = parse_line("https://example.com:443/") else {
            panic!()
        };
        assert_eq!(a.url, b.url);
        assert_eq!(ha, hb);
        assert_eq!(ha, fnv1a64(b"https://example.com/"));
        assert_eq!(parse_line("# comment"), Line::Ignored);
        assert_eq!(parse_line("   "), Line::Ignored);
        assert!(matches!(parse_line("not a domain"), Line::Invalid(..)));
    }

    #[test]
    fn shards_parse_and_partition() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        for bad in ["4/4", "1", "a/2", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        for h in 0..100u64 {
            let owners = (0..4).filter(|i| {
                Shard {
                    index: *i,
                    count: 4,
                }
                .owns(h)
            });
            assert_eq!(owners.count(), 1);
        }
    }

    #[test]
    fn exclusions_match_suffixes_on_label_boundaries() {
        let e = Exclusions::parse(
            "# opt-outs\nexample.com\n*.corp.test\nhttps://Other.ORG/path\n10.0.0.1\n",
        )
        .unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(e.covering("example.com"), Some("example.com"));
        assert_eq!(e.covering("api.EXAMPLE.com."), Some("example.com"));
        assert_eq!(e.covering("notexample.com"), None);
        assert_eq!(e.covering("corp.test"), Some("corp.test"));
        assert_eq!(e.covering("a.b.other.org"), Some("other.org"));
        assert_eq!(e.covering("10.0.0.1"), Some("10.0.0.1"));
        assert_eq!(e.covering("com"), None);
        assert!(Exclusions::parse("https://\n").is_err());
    }

    #[test]
    fn exclusions_cover_internationalised_names_and_ignore_ports() {
        let e = Exclusions::parse(
            "bücher.example
example.org:443
::1
[2001:db8::1]
",
        )
        .unwrap();
        // Target hosts are in the punycode form the URL parser gives.
        let host = |u: &str| url::Url::parse(u).unwrap().host_str().unwrap().to_string();
        assert_eq!(
            e.covering(&host("https://shop.bücher.example/")),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(
            e.covering(&host("https://api.example.org:8443/")),
            Some("example.org")
        );
        assert_eq!(e.covering(&host("http://[::1]:8080/")), Some("::1"));
        assert_eq!(
            e.covering(&host("http://[2001:db8::1]/")),
            Some("2001:db8::1")
        );
        assert!(
            Exclusions::parse("exa mple\n").is_ok(),
            "the name ends at a space"
        );
        assert!(
            Exclusions::parse("a<b\n").is_err(),
            "a forbidden host code point"
        );
    }

    #[test]
    fn counting_respects_shards() {
        let text = "a.example\nb.example\n# x\n\nc.example\nnot a domain\n";
        let total: u64 = (0..3)
            .map(|i| count_lines(text.as_bytes(), Shard { index: i, count: 3 }))
            .sum();
        assert_eq!(total, 4);
    }
}
