//! Evidence-level tests of `bot-challenge`: one realistic response per
//! vendor signature (every signature of `checks/fingerprints/` must be
//! exercised here), and the false positives that must pass.

use crate::evidence::Evidence;
use crate::model::outcome::Outcome;
use crate::testing::{ORIGIN, codes, evidence, json, judge, route, site, with_headers};
use serde_json::{Value, json as j};
use std::collections::BTreeSet;

const ID: &str = "bot-challenge";
const AS: &str = "/.well-known/oauth-authorization-server";

/// One response served at `path`.
struct Fixture {
    name: &'static str,
    path: &'static str,
    status: u16,
    content_type: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    /// Expected outcome of the check.
    outcome: Outcome,
    /// A finding code that must be reported.
    code: &'static str,
    /// Signature ids that must be detected.
    signatures: &'static [&'static str],
}

const CF_CHALLENGE_PAGE: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">api.example.com</h1><h2 class="h2" id="challenge-running">Verifying you are human. This may take a few seconds.</h2></div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "api.example.com",cType: 'managed',cRay: '8f1a2b3c4d5e6f70',cH: 'abc'};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f1a2b3c4d5e6f70';document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"#;

const CF_BLOCK_PAGE: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head><body><div id="cf-wrapper"><div id="cf-error-details"><h1 data-translate="block_headline">Sorry, you have been blocked</h1><h2 class="cf-subheadline">You are unable to access example.com</h2></div><div class="cf-error-footer">Cloudflare Ray ID: <strong>8f1a2b3c4d5e6f70</strong></div></div></body></html>"#;

const TURNSTILE_FORM: &str = r#"<!doctype html><html><head><title>Verify</title><script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script></head><body><form action="/verify" method="POST"><div class="cf-turnstile" data-sitekey="0x4AAAAAAABkMYinukE8nzY"></div><button type="submit">Continue</button></form></body></html>"#;

const RECAPTCHA_FORM: &str = r#"<html><head><title>Are you a robot?</title><script src="https://www.google.com/recaptcha/api.js" async defer></script></head><body><form method="POST"><div class="g-recaptcha" data-sitekey="6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"></div><input type="submit" value="Submit"></form></body></html>"#;

const RECAPTCHA_INTERSTITIAL: &str = r#"<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><title>https://api.example.com/v1/items</title><script src="https://google.com/recaptcha/api.js" async defer></script></head><body><div style="max-width:400px;"><hr noshade size="1"><form id="captcha-form" action="index" method="post"><div id="recaptcha" class="g-recaptcha" data-sitekey="6LfwuyUTAAAAAOAmoS0fdqijC2PbbdH4kjq62Y1b" data-callback="submitCallback" data-s="x"></div><input type='hidden' name='q' value='EgQ'><input type="hidden" name="continue" value="https://api.example.com/v1/items"></form><hr noshade size="1"><div style="font-size:13px;"><b>About this page</b><br><br>Our systems have detected unusual traffic from your computer network.</div></div></body></html>"#;

const HCAPTCHA_FORM: &str = r#"<html><head><title>Security check</title><script src="https://js.hcaptcha.com/1/api.js" async defer></script></head><body><form method="POST"><div class="h-captcha" data-sitekey="10000000-ffff-ffff-ffff-000000000001"></div></form></body></html>"#;

const DATADOME_JSON: &str = r#"{"url":"https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA1QGvUmJwyYoAwpyjNg%3D%3D&hash=789361B674144528D0B7EE76B35826&cid=6QAEcL8coBYTi9tYLmjCdyKmNNyHz1x&t=fe&referer=https%3A%2F%2Fapi.example.com%2Fapi%2Fv1&s=40070&e=3e531bd3b30650f2e810ac72cd80d1b4a7ebaf4a0b9b8b3b"}"#;

const PX_BLOCK_PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="description" content="px-captcha"><title>Access to this page has been denied</title></head><body><script>window._pxAppId = 'PXabc12345';window._pxJsClientSrc = '/abc12345/init.js';var pxCaptchaSrc = '/abc12345/captcha/captcha.js?a=c&u=2b1f&v=&m=0';</script><div id="px-captcha"></div><p>Press &amp; Hold to confirm you are a human (and not a bot).</p></body></html>"#;

const PX_JSON_BLOCK: &str = r#"{"appId":"PXabc12345","jsClientSrc":"/abc12345/init.js","firstPartyEnabled":true,"vid":"","uuid":"bd2deef7-0b95-11ef-8c49-cb4c98cbe205","hostUrl":"/abc12345/xhr","blockScript":"/abc12345/captcha/captcha.js?a=c&u=bd2deef7-0b95-11ef-8c49-cb4c98cbe205&v=&m=0","altBlockScript":"https://captcha.px-cloud.net/PXabc12345/captcha.js?a=c&u=bd2deef7&v=&m=0","customLogo":null}"#;

const AKAMAI_DENIED: &str = "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \nYou don't have permission to access \"http&#58;&#47;&#47;api&#46;example&#46;com&#47;api&#47;v1\" on this server.<P>\nReference&#32;&#35;18&#46;8f4e3217&#46;1736644815&#46;2c4a0a0b\n<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;8f4e3217&#46;1736644815&#46;2c4a0a0b</P>\n</BODY>\n</HTML>\n";

const IMPERVA_BLOCK: &str = r#"<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"><meta name="format-detection" content="telephone=no"></head><body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=24&xinfo=12-34567890-0%200NNN%20RT%281736644815%2012%29&incident_id=1234000120345678901-123456789012345678&edet=15&cinfo=04000000&rpinfo=0&mth=GET" frameborder=0 width="100%" height="100%" marginheight="0px" marginwidth="0px">Request unsuccessful. Incapsula incident ID: 1234000120345678901-123456789012345678</iframe></body></html>"#;

const IMPERVA_CHALLENGE: &str = r#"<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"></head><body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?SWUDNSAI=31&xinfo=5-1234567-0%20&incident_id=0-1234&edet=12&cinfo=ffffffff&pe=631&rpinfo=0&mth=GET" frameborder=0 width="100%" height="100%"></iframe></body></html>"#;

const KASADA_PAGE: &str = r#"<html><head></head><body><script>window.KPSDK={};KPSDK.now=typeof performance!=='undefined'&&performance.now?performance.now.bind(performance):Date.now.bind(Date);KPSDK.start=KPSDK.now();</script><script src="/149e9513-01fa-4fb0-aad4-566afd725d1b/2d206a39-8ed7-437e-a3be-862e0f06eea3/ips.js?tkrm_alpekz_s1.3=0Ez8a"></script></body></html>"#;

const ARKOSE_PAGE: &str = r#"<html><head><title>Verification</title><script src="https://client-api.arkoselabs.com/v2/11111111-1111-1111-1111-111111111111/api.js" data-callback="setupEnforcement" async defer></script></head><body><div id="arkose-enforcement"></div></body></html>"#;

const FRIENDLY_PAGE: &str = r#"<html><head><script type="module" src="https://cdn.jsdelivr.net/npm/@friendlycaptcha/sdk@0.1.8/site.min.js" async defer></script></head><body><form><div class="frc-captcha" data-sitekey="FCMGEMUD2KTDSQ5H"></div></form></body></html>"#;

const VERCEL_PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>Vercel Security Checkpoint</title><meta name="robots" content="noindex"></head><body><div class="container"><p>We're verifying your browser</p><script src="/.well-known/vercel/security/static/challenge.v2.min.js" async></script></div></body></html>"#;

const SUCURI_PAGE: &str = r#"<!DOCTYPE html><html><head><title>Sucuri WebSite Firewall - Access Denied</title></head><body><div id="main-container"><h1>Access Denied - Sucuri Website Firewall</h1><p>If you are the site owner (or you manage this site), please whitelist your IP.</p><table><tr><td>Block ID:</td><td>BNP005</td></tr></table></div></body></html>"#;

const DDOS_GUARD_PAGE: &str = r#"<!DOCTYPE html><html><head><title>DDoS-Guard</title><meta charset="utf-8"></head><body><div id="ddg-l"><h1>Checking your browser before accessing api.example.com</h1></div><script src="https://check.ddos-guard.net/check.js" type="text/javascript"></script></body></html>"#;

const ANUBIS_PAGE: &str = r#"<!doctype html><html lang="en"><head><title>Making sure you&#39;re not a bot!</title><link rel="stylesheet" href="/.within.website/x/xess/xess.min.css?cacheBuster=v1.17.0"><script id="anubis_version" type="application/json">"v1.17.0"</script><script id="anubis_challenge" type="application/json">{"challenge":"5d5c9ac1","rules":{"algorithm":"fast","difficulty":4}}</script><script async type="module" src="/.within.website/x/cmd/anubis/static/js/main.mjs?cacheBuster=v1.17.0"></script></head><body><main><h1 id="title">Making sure you&#39;re not a bot!</h1><p>Protected by Anubis From Techaro.</p></main></body></html>"#;

const AWS_INTERSTITIAL: &str = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title></title><script type="text/javascript" src="https://1a2b3c4d5e6f.edge.captcha-sdk.awswaf.com/1a2b3c4d5e6f/jsapi.js"></script><script>window.awsWafCookieDomainList = [];window.gokuProps = {"key":"AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96AH","iv":"CgAHsTl2Eg","context":"Vd9rE"};</script><script src="https://1a2b3c4d5e6f.token.awswaf.com/1a2b3c4d5e6f/challenge.js"></script></head><body><div id="challenge-container"></div><script>AwsWafIntegration.checkForceRefresh().then((forceRefresh) => { if (forceRefresh) { AwsWafIntegration.forceRefreshToken().then(() => { window.location.reload(true); }); } });</script></body></html>"#;

const FIXTURES: &[Fixture] = &[
    // ---- Cloudflare
    Fixture {
        name: "cloudflare managed challenge on AS metadata",
        path: AS,
        status: 403,
        content_type: "text/html; charset=UTF-8",
        headers: &[
            ("cf-mitigated", "challenge"),
            ("server", "cloudflare"),
            ("cf-ray", "8f1a2b3c4d5e6f70-AMS"),
            (
                "set-cookie",
                "__cf_bm=a1b2c3; path=/; expires=Thu, 01-Jan-2026 00:30:00 GMT; domain=.example.com; HttpOnly; Secure; SameSite=None",
            ),
        ],
        body: CF_CHALLENGE_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-vendor-challenge",
        signatures: &[
            "cloudflare-cf-mitigated",
            "cloudflare-challenge-page",
            "cloudflare-clearance-cookie",
            "cloudflare-ray",
            "cloudflare-server",
        ],
    },
    Fixture {
        name: "cloudflare legacy I'm Under Attack page (503, no cf-mitigated)",
        path: "/api/v1",
        status: 503,
        content_type: "text/html; charset=UTF-8",
        headers: &[("server", "cloudflare")],
        body: CF_CHALLENGE_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["cloudflare-challenge-page"],
    },
    Fixture {
        name: "cloudflare WAF block page",
        path: "/api",
        status: 403,
        content_type: "text/html; charset=UTF-8",
        headers: &[("server", "cloudflare"), ("cf-ray", "8f1a2b3c4d5e6f71-FRA")],
        body: CF_BLOCK_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &["cloudflare-block-page"],
    },
    Fixture {
        name: "cloudflare error 1020 as plain text",
        path: "/api/v1",
        status: 403,
        content_type: "text/plain; charset=UTF-8",
        headers: &[("server", "cloudflare"), ("cf-ray", "8f1a2b3c4d5e6f72-IAD")],
        body: "error code: 1020",
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &["cloudflare-error-1xxx"],
    },
    Fixture {
        name: "turnstile form standing in for the API answer",
        path: "/api/v1",
        status: 403,
        content_type: "text/html",
        headers: &[],
        body: TURNSTILE_FORM,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["cloudflare-turnstile"],
    },
    // ---- AWS WAF
    Fixture {
        name: "aws waf challenge action (bare 202 to a JSON request)",
        path: "/api/v1",
        status: 202,
        content_type: "text/plain",
        headers: &[
            ("x-amzn-waf-action", "challenge"),
            (
                "x-amz-cf-id",
                "kX5hJ2b7yR0mW9q-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2==",
            ),
        ],
        body: "",
        outcome: Outcome::Fail,
        code: "bot-challenge-vendor-challenge",
        signatures: &["aws-waf-challenge", "aws-cloudfront"],
    },
    Fixture {
        name: "aws waf captcha action (405)",
        path: AS,
        status: 405,
        content_type: "text/html",
        headers: &[("x-amzn-waf-action", "captcha")],
        body: AWS_INTERSTITIAL,
        outcome: Outcome::Fail,
        code: "bot-challenge-vendor-challenge",
        signatures: &["aws-waf-captcha", "aws-waf-interstitial"],
    },
    Fixture {
        name: "aws waf interstitial without the header",
        path: "/api",
        status: 202,
        content_type: "text/html",
        headers: &[(
            "set-cookie",
            "aws-waf-token=0a1b2c3d:BgoAfL3; Path=/; Secure; SameSite=Lax",
        )],
        body: AWS_INTERSTITIAL,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["aws-waf-interstitial", "aws-waf-token-cookie"],
    },
    // ---- Widgets on error responses, and interstitials answering an API call
    // Google's "unusual traffic" interstitial, answered 200 to a JSON API
    // request: the reCAPTCHA script plus a g-recaptcha element.
    Fixture {
        name: "recaptcha interstitial answering an API request with 200",
        path: "/api/v1",
        status: 200,
        content_type: "text/html; charset=UTF-8",
        headers: &[],
        body: RECAPTCHA_INTERSTITIAL,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["recaptcha-widget"],
    },
    Fixture {
        name: "recaptcha gate",
        path: "/api/v1",
        status: 403,
        content_type: "text/html",
        headers: &[],
        body: RECAPTCHA_FORM,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["recaptcha-widget"],
    },
    Fixture {
        name: "hcaptcha gate",
        path: "/api/v1",
        status: 429,
        content_type: "text/html",
        headers: &[],
        body: HCAPTCHA_FORM,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["hcaptcha-widget"],
    },
    Fixture {
        name: "arkose enforcement page",
        path: AS,
        status: 403,
        content_type: "text/html",
        headers: &[],
        body: ARKOSE_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["arkose-widget"],
    },
    Fixture {
        name: "friendly captcha gate",
        path: "/api",
        status: 401,
        content_type: "text/html",
        headers: &[],
        body: FRIENDLY_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["friendly-captcha-widget"],
    },
    // ---- DataDome
    Fixture {
        name: "datadome JSON block",
        path: "/api/v1",
        status: 403,
        content_type: "application/json",
        headers: &[
            ("x-datadome", "protected"),
            ("x-datadome-cid", "AHrlqAAAAAMA1QGvUmJwyYoAwpyjNg=="),
            (
                "set-cookie",
                "datadome=6QAEcL8coBYTi9tYLmjC~; Max-Age=31536000; Domain=.example.com; Path=/; Secure; SameSite=Lax",
            ),
        ],
        body: DATADOME_JSON,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["datadome-captcha", "datadome-cookie", "datadome-header"],
    },
    // ---- HUMAN / PerimeterX
    Fixture {
        name: "perimeterx press-and-hold page",
        path: "/api",
        status: 403,
        content_type: "text/html",
        headers: &[(
            "set-cookie",
            "_pxhd=abc:def; Expires=Fri, 01 Jan 2027 00:00:00 GMT; path=/;",
        )],
        body: PX_BLOCK_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["perimeterx-block-page", "perimeterx-cookie"],
    },
    Fixture {
        name: "perimeterx JSON block for API clients",
        path: "/api/v1",
        status: 403,
        content_type: "application/json",
        headers: &[],
        body: PX_JSON_BLOCK,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["perimeterx-json-block"],
    },
    // ---- Akamai
    Fixture {
        name: "akamai access denied",
        path: "/api/v1",
        status: 403,
        content_type: "text/html",
        headers: &[
            ("server", "AkamaiGHost"),
            (
                "set-cookie",
                "_abck=0A1B2C3D~-1~YAAQ~-1~-1; Domain=.example.com; Path=/; Expires=Fri, 01 Jan 2027 00:00:00 GMT; Secure",
            ),
        ],
        body: AKAMAI_DENIED,
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &[
            "akamai-access-denied",
            "akamai-server",
            "akamai-bot-manager-cookie",
        ],
    },
    // ---- Imperva
    Fixture {
        name: "imperva incident page",
        path: "/api",
        status: 403,
        content_type: "text/html",
        headers: &[
            (
                "x-iinfo",
                "12-34567890-0 0NNN RT(1736644815 12) q(0 -1 -1 -1) r(0 -1)",
            ),
            ("x-cdn", "Imperva"),
            (
                "set-cookie",
                "visid_incap_1234567=nrJQPuKmS42sk92ztEMbJWR; expires=Fri, 01 Jan 2027 00:00:00 GMT; HttpOnly; path=/; Domain=.example.com",
            ),
        ],
        body: IMPERVA_BLOCK,
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &[
            "imperva-incident-page",
            "imperva-iinfo",
            "imperva-x-cdn",
            "imperva-cookie",
        ],
    },
    Fixture {
        name: "imperva challenge interstitial",
        path: AS,
        status: 200,
        content_type: "text/html",
        headers: &[],
        body: IMPERVA_CHALLENGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["imperva-challenge-iframe"],
    },
    // ---- Kasada
    Fixture {
        name: "kasada 429 challenge",
        path: "/api/v1",
        status: 429,
        content_type: "text/html",
        headers: &[
            ("x-kpsdk-ct", "0Ez8aLq9bUX"),
            (
                "set-cookie",
                "KP_UIDz=0Ez8aLq9bUX; Max-Age=86400; Path=/; Secure; HttpOnly",
            ),
        ],
        body: KASADA_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["kasada-challenge", "kasada-cookie", "kasada-header"],
    },
    // ---- Vercel
    Fixture {
        name: "vercel security checkpoint",
        path: "/api/v1",
        status: 429,
        content_type: "text/html; charset=utf-8",
        headers: &[
            ("x-vercel-mitigated", "challenge"),
            ("x-vercel-id", "fra1::iad1::abcd-1736644815-0123456789ab"),
            ("server", "Vercel"),
        ],
        body: VERCEL_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-vendor-challenge",
        signatures: &["vercel-mitigated-challenge", "vercel-checkpoint-page"],
    },
    Fixture {
        name: "vercel firewall deny",
        path: "/api",
        status: 403,
        content_type: "text/plain",
        headers: &[("x-vercel-mitigated", "deny")],
        body: "Forbidden",
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &["vercel-mitigated-deny"],
    },
    Fixture {
        name: "vercel clearance cookie on a normal answer",
        path: "/api/v1",
        status: 200,
        content_type: "application/json",
        headers: &[(
            "set-cookie",
            "_vcrcs=1.1736644815.3600.abc; Path=/; Expires=Fri, 01 Jan 2027 00:00:00 GMT; HttpOnly; Secure",
        )],
        body: r#"{"ok":true}"#,
        outcome: Outcome::Pass,
        code: "bot-challenge-cdn-present",
        signatures: &["vercel-challenge-cookie"],
    },
    // ---- Sucuri
    Fixture {
        name: "sucuri block",
        path: "/api/v1",
        status: 403,
        content_type: "text/html",
        headers: &[
            ("server", "Sucuri/Cloudproxy"),
            ("x-sucuri-id", "18012"),
            ("x-sucuri-block", "BNP005"),
        ],
        body: SUCURI_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-block-page",
        signatures: &[
            "sucuri-block-header",
            "sucuri-block-page",
            "sucuri-id",
            "sucuri-server",
        ],
    },
    // ---- DDoS-Guard
    Fixture {
        name: "ddos-guard browser check",
        path: "/api",
        status: 403,
        content_type: "text/html",
        headers: &[
            ("server", "ddos-guard"),
            (
                "set-cookie",
                "__ddg1_=Xyz123AbC; Domain=.example.com; HttpOnly; Path=/; Expires=Fri, 01-Jan-2027 00:00:00 GMT",
            ),
        ],
        body: DDOS_GUARD_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &[
            "ddos-guard-check-page",
            "ddos-guard-server",
            "ddos-guard-cookie",
        ],
    },
    // ---- Anubis (served with 200)
    Fixture {
        name: "anubis proof-of-work page",
        path: AS,
        status: 200,
        content_type: "text/html; charset=utf-8",
        headers: &[("set-cookie", "techaro.lol-anubis-auth=; Path=/; Max-Age=0")],
        body: ANUBIS_PAGE,
        outcome: Outcome::Fail,
        code: "bot-challenge-captcha-markup",
        signatures: &["anubis-challenge", "anubis-cookie"],
    },
];

fn serve(path: &str, status: u16, ct: &str, headers: &[(&str, &str)], body: &str) -> Evidence {
    evidence(
        site(
            vec![with_headers(route(path, status, ct, body), headers)],
            None,
        ),
        ORIGIN,
    )
}

fn detected(data: &Value) -> BTreeSet<String> {
    data["detections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["signature"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_vendor_fixture_gets_its_verdict() {
    for f in FIXTURES {
        let ev = serve(f.path, f.status, f.content_type, f.headers, f.body);
        let r = judge(&ev, ID);
        assert_eq!(r.outcome, f.outcome, "{}: {:?}", f.name, r.findings);
        assert!(
            codes(&r).contains(&f.code.to_string()),
            "{}: {:?}",
            f.name,
            codes(&r)
        );
        let data = r.data.clone().unwrap();
        let got = detected(&data);
        for s in f.signatures {
            assert!(got.contains(*s), "{}: {s} not in {got:?}", f.name);
        }
        if f.outcome == Outcome::Fail {
            // The finding names the vendor and the evidence.
            let fail = r.findings.iter().find(|x| x.code == f.code).unwrap();
            let vendor = data["vendors_challenging"][0].as_str().unwrap();
            assert!(
                fail.message.contains(vendor),
                "{}: {}",
                f.name,
                fail.message
            );
            assert!(
                fail.message.contains(&format!("→ {}", f.status)),
                "{}",
                fail.message
            );
            assert!(fail.probe.is_some());
            assert!(!r.evidence.is_empty());
        }
    }
}

/// Every signature of `checks/fingerprints/` is exercised by a fixture.
#[test]
fn every_fingerprint_signature_has_a_fixture() {
    let all: BTreeSet<String> = crate::classify::fingerprints::builtin()
        .unwrap()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let covered: BTreeSet<String> = FIXTURES
        .iter()
        .flat_map(|f| f.signatures.iter().map(|s| (*s).to_string()))
        .collect();
    let missing: Vec<&String> = all.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "signatures without a fixture: {missing:?}"
    );
}

// ---- false positives ---------------------------------------------------------

#[test]
fn a_csp_that_allow_lists_captcha_hosts_is_not_a_challenge() {
    let ev = serve(
        "/api/v1",
        200,
        "application/json",
        &[(
            "content-security-policy",
            "default-src 'self'; script-src 'self' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/ https://challenges.cloudflare.com https://js.hcaptcha.com; frame-src https://www.google.com/recaptcha/",
        )],
        r#"{"widgets":[]}"#,
    );
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn a_plain_cloudflare_fronted_json_api_passes() {
    let ev = evidence(
        site(
            vec![
                with_headers(
                    json("/api/v1", &j!({"data": []})),
                    &[
                        ("server", "cloudflare"),
                        ("cf-ray", "8f1a2b3c4d5e6f73-LHR"),
                        ("cf-cache-status", "DYNAMIC"),
                        (
                            "set-cookie",
                            "__cf_bm=x.y-1736644815-1.0.1.1-abc; path=/; HttpOnly; Secure",
                        ),
                    ],
                ),
                with_headers(
                    route(
                        "/api",
                        401,
                        "application/json",
                        r#"{"error":"invalid_token"}"#,
                    ),
                    &[("server", "cloudflare"), ("cf-ray", "8f1a2b3c4d5e6f74-LHR")],
                ),
            ],
            None,
        ),
        ORIGIN,
    );
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["bot-challenge-cdn-present"]);
    assert!(r.findings[0].message.contains("Cloudflare"));
    assert!(r.summary.contains("Cloudflare in front"));
}

#[test]
fn a_docs_page_with_a_turnstile_widget_outside_the_api_passes() {
    // The home page (the target URL) is documentation with a Turnstile
    // sign-up form; the API answers JSON.
    let page = r#"<!doctype html><html><head><title>Acme API docs</title><script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script></head><body><h1>Acme API</h1><p>Sign up for the newsletter:</p><form action="/subscribe" method="POST"><input name="email"><div class="cf-turnstile" data-sitekey="0x4AAAAAAABkMYinukE8nzY"></div></form></body></html>"#;
    let ev = evidence(
        site(
            vec![
                route("/", 200, "text/html; charset=utf-8", page),
                route("/docs", 200, "text/html; charset=utf-8", page),
                route(
                    "/api/v1",
                    401,
                    "application/json",
                    r#"{"error":"invalid_token"}"#,
                ),
            ],
            None,
        ),
        ORIGIN,
    );
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["bot-challenge-captcha-on-html-page"]);
    assert!(r.findings[0].probe.as_deref() == Some("api-target"));
}

#[test]
fn ordinary_pages_of_protected_sites_are_not_challenges() {
    for (name, status, ct, headers, body) in [
        (
            "Cloudflare Bot Management script on a normal page",
            200,
            "text/html",
            &[("server", "cloudflare")][..],
            r#"<html><body><h1>Hello</h1><script>(function(){var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.head.appendChild(a);})();</script></body></html>"#,
        ),
        (
            "Incapsula script on a normal page",
            200,
            "text/html",
            &[("x-iinfo", "1-2-3 NNNN")][..],
            r#"<html><body><h1>Hello</h1><script type="text/javascript" src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"></script></body></html>"#,
        ),
        (
            "AWS WAF JavaScript integration on a normal page",
            200,
            "text/html",
            &[][..],
            r#"<html><head><script type="text/javascript" src="https://1a2b.token.awswaf.com/1a2b/challenge.js" defer></script></head><body>app</body></html>"#,
        ),
        (
            "a JSON config naming a captcha provider",
            200,
            "application/json",
            &[][..],
            r#"{"captcha":{"provider":"hcaptcha","script":"https://js.hcaptcha.com/1/api.js","class":"h-captcha"}}"#,
        ),
        (
            "a DataDome-protected API refusing a missing token",
            401,
            "application/json",
            &[("x-datadome", "protected")][..],
            r#"{"error":"invalid_token"}"#,
        ),
        (
            "an x-amzn-waf-action header with another status",
            200,
            "application/json",
            &[("x-amzn-waf-action", "challenge")][..],
            r#"{}"#,
        ),
        (
            "a page that merely talks about Cloudflare errors",
            200,
            "text/html",
            &[][..],
            "<html><body><p>If you see error code: 1020, contact support.</p></body></html>",
        ),
    ] {
        let ev = serve("/api/v1", status, ct, headers, body);
        let r = judge(&ev, ID);
        assert_eq!(r.outcome, Outcome::Pass, "{name}: {:?}", r.findings);
    }
}

#[test]
fn a_challenge_on_the_catch_all_path_only_does_not_count() {
    let fallback = with_headers(
        route("", 403, "text/html", CF_CHALLENGE_PAGE),
        &[("cf-mitigated", "challenge")],
    );
    let mut ev = evidence(site(vec![], Some(fallback)), ORIGIN);
    // Every agent exchange got a plain 404 instead.
    ev.edit_exchanges(|x| {
        if x.probe != crate::model::probe::CATCH_ALL
            && let Some(r) = &mut x.response
        {
            r.status = 404;
            r.headers.clear();
            r.body = b"not found".to_vec();
        }
    });
    assert_eq!(judge(&ev, ID).outcome, Outcome::Pass);
}

#[test]
fn a_challenge_page_not_requested_as_json_is_information() {
    let mut ev = serve("/api/v1", 503, "text/html", &[], CF_CHALLENGE_PAGE);
    ev.edit_exchanges(|x| {
        for (n, v) in &mut x.request.headers {
            if n == "accept" {
                *v = "text/html".into();
            }
        }
    });
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
    assert_eq!(codes(&r), vec!["bot-challenge-captcha-on-html-page"]);
}

#[test]
fn markers_past_the_first_64_kib_are_not_read() {
    let body = format!(
        "<html><body>{}{CF_BLOCK_PAGE}</body></html>",
        " ".repeat(70 * 1024)
    );
    let ev = serve("/api", 403, "text/html", &[], &body);
    assert_eq!(judge(&ev, ID).outcome, Outcome::Pass);
}

#[test]
fn nothing_answering_is_skip() {
    let mut ev = serve("/api", 200, "application/json", &[], "{}");
    ev.edit_exchanges(|x| {
        x.response = None;
    });
    assert_eq!(judge(&ev, ID).outcome, Outcome::Skip);
}

#[test]
fn hostile_headers_and_cookies_do_not_break_matching() {
    let long = "x".repeat(20_000);
    let cookies = ";;;=; =x; __cf_bm";
    let ev = serve(
        "/api",
        200,
        "application/json",
        &[("cf-mitigated", long.as_str()), ("set-cookie", cookies)],
        "{}",
    );
    let r = judge(&ev, ID);
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.findings);
}
