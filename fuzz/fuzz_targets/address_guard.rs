//! Hosts and addresses through the SSRF guard's judgement: no panic, and
//! an IPv6 address that embeds an IPv4 address (mapped, translated,
//! compatible, NAT64, 6to4) is judged exactly as that IPv4 address.
#![no_main]
use agentready::model::target::{canonical_ip, embedded_ipv4, is_private_host, is_public_ip};
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.trim();
    let _ = is_private_host(s);
    let _ = agentready::model::target::is_loopback_host(s);
    let _ = agentready::batch::input::Exclusions::parse(s);
    if let Ok(u) = url::Url::parse(&format!("http://{s}/"))
        && let Some(h) = u.host_str()
    {
        let _ = is_private_host(h);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        let c = canonical_ip(ip);
        if let IpAddr::V6(v6) = ip
            && let Some(v4) = embedded_ipv4(v6)
            && !(v6.segments()[0] == 0x2001 && v6.segments()[1] == 0)
        {
            assert_eq!(is_public_ip(ip), is_public_ip(IpAddr::V4(v4)), "{ip}");
            assert_eq!(c, IpAddr::V4(v4));
        }
        let host = if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() };
        assert_eq!(is_private_host(&host), !is_public_ip(ip), "{host}");
    }
});
