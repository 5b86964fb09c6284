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

use super::error::InputError;
use crate::model::target::Target;
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
    pub fn parse(s: &str) -> Result<Shard, InputError> {
        let bad = || InputError::Shard(s.to_string());
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

/// Longest input line read as a target: a URL is a few hundred bytes at
/// most. A longer line is reported as invalid (its first bytes shown), and
/// the rest of it is skipped without being kept in memory.
pub const MAX_LINE: usize = 16 * 1024;

/// How one line was read by [`read_line_capped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes the line took in the input, its newline included.
    pub len: u64,
    /// True when it ended with a newline (false: the input ended).
    pub complete: bool,
    /// True when it was longer than the cap: `buf` holds its first bytes.
    pub overflow: bool,
}

/// Read one line (up to and without its `\n`) into `buf`, keeping at most
/// `max` bytes of it, however long it is: memory stays bounded even on a
/// 400 MB line without a newline. `None` at the end of the input.
pub fn read_line_capped(
    r: &mut (impl std::io::BufRead + ?Sized),
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<LineRead>> {
    buf.clear();
    let mut read = LineRead {
        len: 0,
        complete: false,
        overflow: false,
    };
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((read.len > 0).then_some(read));
        }
        let (chunk, used, done) = match avail.iter().position(|b| *b == b'\n') {
            Some(i) => (&avail[..i], i + 1, true),
            None => (avail, avail.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        if chunk.len() > room {
            read.overflow = true;
        }
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        r.consume(used);
        read.len += used as u64;
        if done {
            read.complete = true;
            return Ok(Some(read));
        }
    }
}

/// Classify one line as read by [`read_line_capped`]: a line cut at the
/// cap is invalid, assigned to a shard by the hash of its kept bytes.
pub fn classify(buf: &[u8], read: LineRead) -> Line {
    if read.overflow {
        let text = String::from_utf8_lossy(buf);
        let shown: String = text.trim().chars().take(200).collect();
        return Line::Invalid(
            shown,
            format!(
                "the line is longer than {} KiB: not a target",
                MAX_LINE / 1024
            ),
            fnv1a64(buf),
        );
    }
    parse_line(&String::from_utf8_lossy(buf))
}

/// Count the lines of `input` that belong to `shard` (targets and invalid
/// lines alike, duplicates included): the total a progress bar counts to.
pub fn count_lines(mut input: impl std::io::BufRead, shard: Shard) -> u64 {
    let mut n = 0;
    let mut buf = Vec::new();
    while let Ok(Some(read)) = read_line_capped(&mut input, &mut buf, MAX_LINE) {
        let owned = match classify(&buf, read) {
            Line::Ignored => false,
            Line::Target(_, h) | Line::Invalid(_, _, h) => shard.owns(h),
        };
        n += u64::from(owned);
    }
    n
}

/// A host as the opt-out list compares it: lower-cased, without brackets
/// or a trailing dot, and an address in its canonical form (an IPv6
/// address embedding an IPv4 address is that IPv4 address, so an entry
/// `127.0.0.1` covers `[::ffff:127.0.0.1]`; see
/// [`crate::model::target::canonical_ip`]).
fn canonical_host(host: &str) -> String {
    let h = crate::model::target::normalise_host(host.trim_end_matches('.'));
    match crate::model::target::host_ip(&h) {
        Some(ip) => crate::model::target::canonical_ip(ip).to_string(),
        None => h,
    }
}

/// `--exclude FILE`: domains never contacted. An entry `example.com` (or
/// `*.example.com`, `.example.com`, or a URL whose host is `example.com`)
/// covers `example.com` and every name under it (`api.example.com`), by
/// suffix on label boundaries; an IP address covers itself in every
/// spelling (IPv4-mapped, NAT64, 6to4… forms of it).
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    domains: HashSet<String>,
}

impl Exclusions {
    /// Parse the opt-out list (same comment rules as the input).
    pub fn parse(text: &str) -> Result<Exclusions, InputError> {
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
                    .ok_or_else(|| InputError::NotDomainOrUrl {
                        line: i + 1,
                        entry: t.to_string(),
                    })?
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
                        .map_err(|_| InputError::NotDomain {
                            line: i + 1,
                            entry: t.to_string(),
                        })?,
                }
            };
            let host = canonical_host(&host);
            if host.is_empty() || host.contains('*') {
                return Err(InputError::NotDomain {
                    line: i + 1,
                    entry: t.to_string(),
                });
            }
            domains.insert(host);
        }
        Ok(Exclusions { domains })
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Exclusions, InputError> {
        let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadExclude {
            path: path.to_path_buf(),
            source,
        })?;
        Exclusions::parse(&text).map_err(|e| InputError::Exclude {
            path: path.to_path_buf(),
            error: Box::new(e),
        })
    }

    /// The entry that covers `host`, if any.
    pub fn covering(&self, host: &str) -> Option<&str> {
        if self.domains.is_empty() {
            return None;
        }
        let host = canonical_host(host);
        if crate::model::target::host_ip(&host).is_some() {
            // An address covers itself only, in every spelling.
            return self.domains.get(&host).map(String::as_str);
        }
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

    /// The entries that are addresses (canonical): the HTTP layer keeps
    /// every name that resolves to one of them from being contacted.
    pub fn addresses(&self) -> Vec<std::net::IpAddr> {
        self.domains
            .iter()
            .filter_map(|d| crate::model::target::host_ip(d))
            .collect()
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
        assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
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
        // An address covers itself in every spelling.
        let e = Exclusions::parse("127.0.0.1\n[::ffff:10.0.0.9]\n").unwrap();
        for (h, entry) in [
            ("http://[::ffff:127.0.0.1]:8080/", "127.0.0.1"),
            ("http://[::ffff:7f00:1]/", "127.0.0.1"),
            ("http://[64:ff9b::7f00:1]/", "127.0.0.1"),
            ("http://[2002:7f00:1::]/", "127.0.0.1"),
            ("http://0x7f.0.0.1/", "127.0.0.1"),
            ("http://10.0.0.9/", "10.0.0.9"),
        ] {
            assert_eq!(e.covering(&host(h)), Some(entry), "{h}");
        }
        assert_eq!(e.covering("127.0.0.2"), None);
        assert_eq!(e.covering("0.0.1"), None, "an address has no parent domain");
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
    fn an_endless_line_is_cut_and_the_next_one_read() {
        // 100 MB of one line would be 100 MB of memory; it is kept to the
        // cap and the next line is read as usual.
        struct Endless(u64, bool);
        impl std::io::Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = (out.len() as u64).min(self.0) as usize;
                out[..n].fill(b'a');
                self.0 -= n as u64;
                if self.0 == 0 && n < out.len() && !self.1 {
                    self.1 = true;
                    out[n] = b'\n';
                    return Ok(n + 1);
                }
                Ok(n)
            }
        }
        let long = std::io::BufReader::new(Endless(100 << 20, false));
        let mut input = std::io::Read::chain(long, &b"example.com\n"[..]);
        let mut input = std::io::BufReader::new(&mut input);
        let mut buf = Vec::new();
        let first = read_line_capped(&mut input, &mut buf, MAX_LINE)
            .unwrap()
            .unwrap();
        assert!(first.overflow && first.complete);
        assert_eq!(first.len, (100 << 20) + 1);
        assert_eq!(buf.len(), MAX_LINE);
        assert!(buf.capacity() < 2 * MAX_LINE, "{}", buf.capacity());
        let Line::Invalid(text, reason, _) = classify(&buf, first) else {
            panic!()
        };
        assert_eq!(text.len(), 200);
        assert!(reason.contains("longer than 16 KiB"), "{reason}");
        let next = read_line_capped(&mut input, &mut buf, MAX_LINE)
            .unwrap()
            .unwrap();
        assert!(matches!(classify(&buf, next), Line::Target(..)));
        assert!(
            read_line_capped(&mut input, &mut buf, MAX_LINE)
                .unwrap()
                .is_none()
        );
        // A last line without a newline is still a line.
        let mut tail = &b"a\nb"[..];
        assert!(
            read_line_capped(&mut tail, &mut buf, 8)
                .unwrap()
                .unwrap()
                .complete
        );
        let last = read_line_capped(&mut tail, &mut buf, 8).unwrap().unwrap();
        assert!(!last.complete && !last.overflow);
        assert_eq!(buf, b"b");
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
