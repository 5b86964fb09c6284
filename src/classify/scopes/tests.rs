use super::*;

fn name(scope: &str) -> Classification {
    classify(scope, Hints::default()).expect("vocabulary loads")
}

fn class(scope: &str) -> &'static str {
    name(scope).class.as_str()
}

#[test]
fn the_embedded_vocabulary_is_valid() {
    vocabulary().expect("checks/scopes/vocabulary.toml validates");
}

#[test]
fn tokens_split_on_separators_camel_case_and_url_segments() {
    assert_eq!(tokenize("contacts:read"), ["contacts", "read"]);
    assert_eq!(tokenize("read:org"), ["read", "org"]);
    assert_eq!(
        tokenize("files.content.write"),
        ["files", "content", "write"]
    );
    assert_eq!(tokenize("Mail.ReadWrite"), ["mail", "read", "write"]);
    assert_eq!(
        tokenize("https://www.googleapis.com/auth/drive.readonly"),
        ["drive", "readonly"]
    );
    assert_eq!(
        tokenize("https://mail.google.com/"),
        ["mail", "google", "com"]
    );
    assert_eq!(tokenize("okta.users.manage"), ["okta", "users", "manage"]);
    assert_eq!(
        tokenize("DeviceManagementRBAC.ReadWrite.All"),
        ["device", "management", "rbac", "read", "write", "all"]
    );
    assert_eq!(tokenize("RBACSettings"), ["rbac", "settings"]);
    assert_eq!(tokenize("CUSTOMERS_WRITE"), ["customers", "write"]);
    assert_eq!(tokenize("ads-metrics:read"), ["ads", "metrics", "read"]);
    assert_eq!(tokenize("wsReadOnly"), ["ws", "read", "only"]);
    assert_eq!(tokenize("k8s_proxy"), ["k8s", "proxy"]);
    assert_eq!(tokenize("api://1234/.default"), ["api", "1234", "default"]);
    assert!(tokenize("").is_empty());
    assert!(tokenize(":::").is_empty());
}

#[test]
fn tokenizing_hostile_input_never_panics() {
    for s in [
        "ht€ps://x",
        "https://",
        "https:/\u{0}",
        "\u{1F600}Read\u{1F600}Write",
        "ÀÉÎõü.ReadWrite",
        "https://é/",
        &"a".repeat(100_000),
        &"Ab".repeat(10_000),
    ] {
        let _ = tokenize(s);
        let _ = name(s);
    }
    assert!(tokenize(&"x:".repeat(10_000)).len() <= 64);
}

#[test]
fn the_conventions_named_in_the_brief() {
    for (scope, expected) in [
        ("contacts:read", "read"),
        ("read:org", "read"),
        ("repo", "admin"),
        ("chat:write", "write"),
        ("files.content.write", "write"),
        ("Mail.ReadWrite", "write"),
        ("https://www.googleapis.com/auth/drive.readonly", "read"),
        ("https://www.googleapis.com/auth/drive", "write"),
        ("okta.users.manage", "admin"),
        ("okta.users.manage.self", "write"),
        ("okta.users.read", "read"),
        ("api", "write"),
        ("mcp:tools", "unknown"),
        ("admin", "admin"),
        ("*", "admin"),
        ("all", "admin"),
        ("full_access", "admin"),
        ("files:delete", "destructive"),
        ("delete_repo", "destructive"),
        ("users.remove", "destructive"),
        ("projects:destroy", "destructive"),
        ("cache.purge", "destructive"),
        ("tokens:revoke", "destructive"),
        ("openid", "identity"),
        ("offline_access", "identity"),
        ("email", "identity"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn admin_needs_an_administrative_scope_not_just_a_write() {
    // An admin marker: writes are admin, reads stay reads.
    assert_eq!(class("admin:org"), "admin");
    assert_eq!(class("admin.users:write"), "admin");
    assert_eq!(class("admin.users:read"), "read");
    assert_eq!(class("site_admin"), "admin");
    // Administrative resources.
    assert_eq!(class("write:org"), "admin");
    assert_eq!(class("member:write"), "admin");
    assert_eq!(class("Application.ReadWrite.All"), "admin");
    // Users and groups are administration only when widened to everyone.
    assert_eq!(class("User.ReadWrite"), "write");
    assert_eq!(class("users:write"), "write");
    assert_eq!(class("User.ReadWrite.All"), "admin");
    assert_eq!(class("Group.ReadWrite.All"), "admin");
    // Everything at once.
    let w = name("write:all");
    assert_eq!(w.class, ScopeClass::Admin);
    assert!(w.god_mode);
    assert!(name("*").god_mode);
    assert!(!name("admin:org").god_mode);
    // Phrases.
    assert_eq!(class("Sites.FullControl.All"), "admin");
}

#[test]
fn resources_pair_read_and_write_scopes() {
    let key = |s: &str| name(s).resource;
    assert_eq!(key("files:read"), "files");
    assert_eq!(key("files:write"), "files");
    assert_eq!(key("Files.ReadWrite.All"), "files");
    assert_eq!(key("read:org"), key("admin:org"));
    assert_eq!(
        key("https://www.googleapis.com/auth/drive.readonly"),
        "drive"
    );
    assert_eq!(key("https://www.googleapis.com/auth/drive"), "drive");
    assert_eq!(key("read"), "");
    assert_eq!(key("write"), "");
    assert_eq!(key("*"), "");
}

#[test]
fn reasons_name_the_deciding_words() {
    let c = name("widgets:delete");
    assert_eq!(c.source, Source::Name);
    assert!(c.reason.contains("`delete`"), "{}", c.reason);
    let c = name("okta.groups.manage");
    assert!(c.reason.contains("Okta"), "{}", c.reason);
    let c = name("reports");
    assert_eq!(c.class, ScopeClass::Unknown);
    assert!(!c.reason.is_empty());
}

#[test]
fn descriptions_decide_what_names_cannot() {
    let v = vocabulary().unwrap();
    let d = |text: &str| classify_description(v, text).map(|(c, _)| c.as_str());
    // Real descriptions (Google discovery documents, Microsoft Graph, Canva).
    assert_eq!(
        d("View and modify but not delete your email"),
        Some("write")
    );
    assert_eq!(
        d("See and download all your Google Drive files"),
        Some("read")
    );
    assert_eq!(
        d("See, edit, create, and delete all of your Google Drive files"),
        Some("write")
    );
    assert_eq!(
        d("Permanently delete your data and documents"),
        Some("destructive")
    );
    assert_eq!(d("Grants access to delete packages"), Some("destructive"));
    assert_eq!(
        d(
            "Allows the app to create, read, update, and delete email in user mailboxes. Does not include permission to send mail."
        ),
        Some("write")
    );
    assert_eq!(d("Administer a workspace"), Some("admin"));
    assert_eq!(d("List role assignments for your workspace."), Some("read"));
    assert_eq!(
        d("Add and remove role assignments for your workspace."),
        Some("admin")
    );
    assert_eq!(d("Read user email address through OIDC."), Some("identity"));
    assert_eq!(
        d("Requests access to the email and email_verified claims"),
        Some("identity")
    );
    assert_eq!(d("Something about widgets"), None);
    assert_eq!(d(""), None);
    let _ = d(&"delete ".repeat(10_000));
}

#[test]
fn a_description_overrides_an_unknown_or_milder_name() {
    let c = classify(
        "reports",
        Hints {
            description: Some("Read all usage reports"),
            risk: None,
        },
    )
    .unwrap();
    assert_eq!((c.class, c.source), (ScopeClass::Read, Source::Description));
    // The dangerous reading wins and the disagreement is recorded.
    let c = classify(
        "widgets:read",
        Hints {
            description: Some("Read and permanently delete widgets"),
            risk: None,
        },
    )
    .unwrap();
    assert_eq!(c.class, ScopeClass::Destructive);
    assert_eq!(c.source, Source::Description);
    assert!(c.ambiguous.is_some());
    // A milder description does not weaken the name.
    let c = classify(
        "widgets:write",
        Hints {
            description: Some("View widgets"),
            risk: None,
        },
    )
    .unwrap();
    assert_eq!((c.class, c.source), (ScopeClass::Write, Source::Name));
    assert!(c.ambiguous.is_some());
    // A whole-scope convention is not overridden by prose.
    let c = classify("offline_access", Hints {
        description: Some("Allows the app to read and update user data, even when they are not currently using the app"),
        risk: None,
    })
    .unwrap();
    assert_eq!(c.class, ScopeClass::Identity);
}

#[test]
fn a_risk_document_wins_over_heuristics() {
    let entry = |v: serde_json::Value| RiskEntry::parse(&v).unwrap();
    let c = |scope: &str, e: &RiskEntry| {
        classify(
            scope,
            Hints {
                description: Some("Read widgets"),
                risk: Some(e),
            },
        )
        .unwrap()
    };
    let high = entry(
        serde_json::json!({"risk": "high", "description": "Delete widgets", "requires": ["widgets:read"]}),
    );
    assert_eq!(high.requires, ["widgets:read"]);
    let got = c("widgets:read", &high);
    assert_eq!(
        (got.class, got.source),
        (ScopeClass::Destructive, Source::RiskDocument)
    );
    assert!(got.ambiguous.is_some());
    let explicit = entry(serde_json::json!({"class": "admin", "risk": "low"}));
    assert_eq!(c("x", &explicit).class, ScopeClass::Admin);
    let hint = entry(serde_json::json!({"readOnlyHint": true}));
    assert_eq!(c("x:write", &hint).class, ScopeClass::Read);
    let destructive = entry(serde_json::json!({"destructiveHint": true, "readOnlyHint": false}));
    assert_eq!(c("x", &destructive).class, ScopeClass::Destructive);
    assert_eq!(
        c("x", &entry(serde_json::json!({"risk": "low"}))).class,
        ScopeClass::Read
    );
    assert_eq!(
        c("x", &entry(serde_json::json!({"risk": "Medium"}))).class,
        ScopeClass::Write
    );
    // An entry with only a description is a description, not a risk document.
    let prose = entry(serde_json::json!("Create widgets"));
    let got = classify(
        "widgets",
        Hints {
            description: None,
            risk: Some(&prose),
        },
    )
    .unwrap();
    assert_eq!(
        (got.class, got.source),
        (ScopeClass::Write, Source::Description)
    );
    // Malformed entries are errors, never panics.
    for bad in [
        serde_json::json!(3),
        serde_json::json!({"risk": "extreme"}),
        serde_json::json!({"risk": 3}),
        serde_json::json!({"class": "unknown"}),
        serde_json::json!({"class": "godlike"}),
        serde_json::json!({"readOnlyHint": "yes"}),
        serde_json::json!({"requires": "widgets:read"}),
        serde_json::json!({"requires": [1]}),
        serde_json::json!({"description": []}),
    ] {
        assert!(RiskEntry::parse(&bad).is_err(), "{bad}");
    }
}

#[test]
fn vocabulary_rules_are_enforced_at_load_time() {
    assert!(parse_vocabulary("not toml [").is_err());
    // Schema: an unknown member and a bad class.
    let extra = format!("{VOCABULARY}\nsurprise = 1\n");
    let err = parse_vocabulary(&extra).unwrap_err();
    assert!(matches!(err, ScopeError::Schema(_)), "{err:?}");
    assert!(err.to_string().contains("scope-vocabulary.schema.json"), "{err}");
    let bad_class = VOCABULARY.replacen("class = \"identity\"", "class = \"harmless\"", 1);
    assert!(parse_vocabulary(&bad_class).is_err());
    let upper = VOCABULARY.replacen("\"reads\",", "\"Reads\",", 1);
    assert!(parse_vocabulary(&upper).is_err(), "tokens are lower-case");
    // Rules the schema cannot express.
    let twice = VOCABULARY.replacen("\"reads\",", "\"delete\",", 1);
    let err = parse_vocabulary(&twice).unwrap_err();
    assert!(err.to_string().contains("`delete`"), "{err}");
    let dup_whole = VOCABULARY.replacen("scopes = [\"api\"]", "scopes = [\"API\", \"openid\"]", 1);
    let err = parse_vocabulary(&dup_whole).unwrap_err();
    assert!(matches!(err, ScopeError::WholeTwice(_)), "{err:?}");
    assert!(err.to_string().contains("twice"), "{err}");
}
