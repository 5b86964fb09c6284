//! The HTML report as a browser lays it out (issue 22): screenshots by
//! `scripts/screenshot-html.sh` in headless Chromium, with the script's
//! measurements checked: the top-fixes block above the fold at 1280×800,
//! no horizontal scroll at 390 px wide, and WCAG AA contrast (4.5:1) of
//! the grade badge's text. Skipped, saying so, when `chromium` is not
//! installed (`apt-get install -y chromium`; `.ci/run` installs it).
//!
//! The contrast of every grade badge is also computed from the page's CSS
//! colours, which needs no browser.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// WCAG 2.x relative luminance of an sRGB colour.
fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2.x contrast ratio.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `#rrggbb`.
fn hex(s: &str) -> [f64; 3] {
    let s = s.trim().trim_start_matches('#');
    let c = |i: usize| f64::from(u8::from_str_radix(&s[i..i + 2], 16).unwrap());
    [c(0), c(2), c(4)]
}

/// `rgb(r, g, b)` or `rgba(r, g, b, 1)` as computed styles give them.
fn rgb(s: &str) -> [f64; 3] {
    let inner = s
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .unwrap_or_else(|| panic!("not an rgb() colour: {s}"))
        .0;
    let v: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse().unwrap())
        .collect();
    [v[0], v[1], v[2]]
}

#[test]
fn grade_badges_meet_wcag_aa_by_their_css_colours() {
    let html = agentready::render::html(&agentready::testing::report(
        &agentready::testing::evidence(
            agentready::testing::site(vec![], None),
            "https://example.com",
        ),
    ));
    let root = html
        .split_once(":root {")
        .and_then(|(_, r)| r.split_once('}'))
        .unwrap()
        .0;
    let var = |name: &str| {
        let at = root
            .find(&format!("--{name}:"))
            .unwrap_or_else(|| panic!("--{name} is not set"));
        let v = &root[at + name.len() + 3..];
        hex(&v[..v.find(';').unwrap()])
    };
    // .grade.pass, .grade.warn, .grade.fail, .grade.skip: text on its
    // background.
    for class in ["pass", "warn", "fail", "skip"] {
        let ratio = contrast(var(class), var(&format!("{class}-bg")));
        assert!(ratio >= 4.5, "grade {class}: contrast {ratio:.2} < 4.5");
    }
}

fn chromium() -> bool {
    Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Screenshot `site` at `size` and return what the page measured.
fn shoot(site: &str, size: &str, dir: &Path) -> Value {
    let name = size.replace(',', "x");
    let png = dir.join(format!("{site}-{name}.png"));
    let json = dir.join(format!("{site}-{name}.json"));
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/screenshot-html.sh"))
        .args([site, png.to_str().unwrap(), size, json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "screenshot-html.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[test]
#[allow(
    clippy::print_stderr,
    reason = "a skipped browser check says so in the test output"
)]
fn html_report_in_headless_chromium() {
    if !chromium() {
        eprintln!(
            "SKIPPED html_report_in_headless_chromium: chromium is not installed \
             (apt-get install -y chromium); the HTML layout was not checked"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // classic-oauth: five top fixes, the longest block of the sites.
    let desktop = shoot("classic-oauth", "1280,800", dir.path());
    // The script lays the page out in a frame of exactly that size.
    assert_eq!(desktop["innerWidth"], 1280, "{desktop}");
    assert_eq!(desktop["innerHeight"], 800, "{desktop}");
    let height = 800.0;
    assert!(
        desktop["fixesTop"].as_f64().unwrap() >= 0.0
            && desktop["fixesBottom"].as_f64().unwrap() <= height,
        "the top-fixes block is not above the fold at 1280x800: {desktop}"
    );
    let ratio = contrast(
        rgb(desktop["gradeColor"].as_str().unwrap()),
        rgb(desktop["gradeBackground"].as_str().unwrap()),
    );
    assert!(ratio >= 4.5, "grade badge contrast {ratio:.2}: {desktop}");

    for site in ["classic-oauth", "widgets-api", "agent-ready"] {
        let mobile = shoot(site, "390,800", dir.path());
        assert_eq!(mobile["innerWidth"], 390, "{mobile}");
        let width = 390.0;
        assert!(
            mobile["scrollWidth"].as_f64().unwrap() <= width,
            "{site} scrolls horizontally at 390 px: {mobile}"
        );
    }
}
