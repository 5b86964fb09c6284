use super::*;

fn name(scope: &str) -> Classification {
    classify(scope, Hints::default()).expect("vocabulary loads")
}

fn class(scope: &str) -> &'static str {
    name(scope).class.as_str()
}

/// The class a scope is only assumed to have (`None` when stated).
fn assumed(scope: &str) -> Option<&'static str> {
    let c = name(scope);
    assert!(
        c.assumed.is_none() || c.class == ScopeClass::Unknown,
        "{scope}: an assumption is never a stated class"
    );
    c.assumed.map(ScopeClass::as_str)
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
        ["auth", "drive", "readonly"]
    );
    assert_eq!(
        tokenize("https://api.example.com/v1/read/widgets?x=1"),
        ["v1", "read", "widgets"]
    );
    assert_eq!(tokenize("identity[email]"), ["identity", "email"]);
    assert_eq!(
        tokenize("patient/Observation.rs?category=laboratory"),
        ["patient", "observation", "rs"]
    );
    assert_eq!(tokenize("user/*.cruds"), ["user", "*", "cruds"]);
    assert_eq!(tokenize("a**b"), ["a", "*", "b"]);
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
    let v = vocabulary().unwrap();
    assert!(scope_words(v, &"readwrite".repeat(1_000)).len() <= 65);
    let _ = scope_words(v, "ééééadmin");
    let _ = scope_words(v, "adminéé");
}

/// The scope's verb and resource are found in any order and with any
/// separator (issue 19): the same scope, written every way providers do.
#[test]
fn verbs_and_resources_are_read_in_any_order_and_with_any_separator() {
    let spellings = |verb: &str, verb_camel: &str| {
        vec![
            format!("{verb}:widgets"),
            format!("widgets:{verb}"),
            format!("widgets.{verb}"),
            format!("widgets-{verb}"),
            format!("widgets_{verb}"),
            format!("widgets/{verb}"),
            format!("{verb}_widgets"),
            format!("WIDGETS_{}", verb.to_uppercase()),
            format!("Widgets.{verb_camel}"),
            format!("{verb_camel}Widgets"),
            format!("widgets{verb_camel}"),
            format!("acme:widgets:{verb}:all"),
            format!("https://api.example.com/auth/widgets.{verb}"),
            format!("https://api.example.com/{verb}/widgets"),
        ]
    };
    for (verb, camel, expected) in [
        ("read", "Read", "read"),
        ("readonly", "ReadOnly", "read"),
        ("write", "Write", "write"),
        ("readwrite", "ReadWrite", "write"),
        ("read_write", "ReadWrite", "write"),
        ("rw", "RW", "write"),
        ("create", "Create", "write"),
        ("delete", "Delete", "destructive"),
    ] {
        for scope in spellings(verb, camel) {
            assert_eq!(class(&scope), expected, "{scope}: {}", name(&scope).reason);
        }
    }
}

/// Issue 19, error class (a): a write on the caller's keys, on commands, on
/// apps or inside an enterprise is a write; only true administration
/// markers make a scope admin.
#[test]
fn only_true_administration_markers_make_a_write_admin() {
    for scope in [
        "write:gpg_key",
        "write:public_key",
        "ssh_keys:write",
        "api_keys.create",
        "Device.Command",
        "commands:write",
        "app_configurations:write",
        "Application.ReadWrite.OwnedBy",
        "manage_runners:enterprise",
        "org.projects:write",
        "gmail.settings:write",
        "channels:write.invites",
        "users:write",
        "users.profile:write",
        "User.ReadWrite",
        "okta.clients.register",
        "okta.workflows.invoke.manage",
        "okta.users.manage.self",
        "okta.personal.adminSettings.manage",
        "w_member_posts",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
    for scope in [
        // Presented as administration; sudo and impersonation.
        "admin:gpg_key",
        "admin:org",
        "widgets:write:admin",
        "site_admin",
        "sudo",
        "user_impersonation",
        "Directory.AccessAsUser.All",
        "PrivilegedAccess.ReadWrite.AzureAD",
        // Managing people, the organisation, roles or billing.
        "manage:users",
        "create:users",
        "users:invite",
        "manage_groups",
        "members:write",
        "member:invite",
        "roles:write",
        "manage_billing:enterprise",
        "billing:write",
        "write:org",
        "org:write",
        "account:write",
        "org.settings:write",
        "workspace.invitations:write",
        "User.ReadWrite.All",
        "Group.ReadWrite.All",
        "Application.ReadWrite.All",
        "okta.users.manage",
        // Everything.
        "*",
        "write:all",
        "*:write",
        "Sites.FullControl.All",
    ] {
        assert_eq!(class(scope), "admin", "{scope}: {}", name(scope).reason);
    }
    // Reading administrative data is a read; deleting people is destructive.
    for (scope, expected) in [
        ("admin:read", "read"),
        ("read:org", "read"),
        ("billing:read", "read"),
        ("widgets:read:admin", "read"),
        ("delete:users", "destructive"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

/// Issue 19, error class (b): identity scopes without a verb, and reads of
/// the signed-in user's own identity, are identity.
#[test]
fn identity_scopes_need_no_verb() {
    for scope in [
        "identify",
        "userinfo",
        "whoami",
        "me",
        "openid",
        "offline.access",
        "OfflineAccess",
        "online_access",
        "refresh-token",
        "email",
        "user:email",
        "useremail",
        "read:user",
        "read_user",
        "User.Read",
        "profile:read",
        "read:me",
        "account_info.read",
        "okta.users.read.self",
        "identity[email]",
        "https://www.googleapis.com/auth/userinfo.email",
    ] {
        assert_eq!(class(scope), "identity", "{scope}: {}", name(scope).reason);
    }
    // Other people's profiles and emails are reads; a bare `user` says whose
    // data but not which.
    for (scope, expected) in [
        ("users:read.email", "read"),
        ("users.profile:read", "read"),
        ("User.Read.All", "read"),
        ("read:jira-user", "read"),
        ("profile:write", "write"),
        ("user", "unknown"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

/// Issue 19, error class (c): a read verb after a hyphen or in a URL path
/// is a read, also beside a word that could be a write verb used as a noun.
#[test]
fn reads_after_hyphens_and_in_url_paths_stay_reads() {
    for scope in [
        "user-read-private",
        "widgets-read",
        "post-read",
        "share:read",
        "transfer:read",
        "register:read",
        "read:upload",
        "https://api.example.com/read/widgets",
        "https://api.example.com/auth/widgets.readonly",
        "https://www.googleapis.com/auth/admin.directory.user.readonly",
    ] {
        assert_eq!(class(scope), "read", "{scope}: {}", name(scope).reason);
    }
    // The weak verb still decides when nothing else does.
    for scope in [
        "Mail.Send",
        "user:follow",
        "remote_files:share",
        "widgets:post",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
}

/// Issue 19, error class (d): a combined read-write scope is a write.
#[test]
fn combined_read_write_scopes_are_write() {
    for scope in [
        "Widgets.ReadWrite.All",
        "widgets:read_write",
        "data:read-write",
        "files_readwrite",
        "RW_WIDGETS",
        "rw_widgets",
        "amReadWriteWidgets",
        "root_readwrite",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn permission_letters_are_actions_only_at_the_ends_and_without_a_verb() {
    for (scope, expected) in [
        ("patient/Observation.rs", "read"),
        ("patient/Observation.r", "read"),
        ("user/Observation.cruds", "write"),
        ("patient/Observation.cud", "write"),
        ("patient/Observation.d", "destructive"),
        ("r_widgets", "read"),
        ("w_widgets", "write"),
        // A verb wins; letters in the middle are words.
        ("rs:write", "write"),
        ("widgets.rs.archive", "write"),
        ("widgets.cr.gadgets", "unknown"),
        // Repeated letters, or too long, are not permission letters; nor is
        // a word after another separator.
        ("widgets.rr", "unknown"),
        ("widgets.crudsx", "unknown"),
        ("region-us", "unknown"),
        ("ci_cd", "unknown"),
        ("us_payroll", "unknown"),
        ("w:widgets", "write"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
    assert!(name("patient/Observation.rs").reason.contains("`rs`"));
}

#[test]
fn compounds_of_vocabulary_words_are_split() {
    let v = vocabulary().unwrap();
    assert_eq!(scope_words(v, "emailaddress"), ["email", "address"]);
    assert_eq!(scope_words(v, "manageusers"), ["manage", "users"]);
    // A word that has a role, or whose parts do not, stays whole.
    assert_eq!(scope_words(v, "readwrite"), ["readwrite"]);
    assert_eq!(scope_words(v, "address"), ["address"]);
    // A plain word and a verb of four letters or more (Reddit's
    // `wikiread`, `wikiedit`), but never a short stem or `list`.
    assert_eq!(scope_words(v, "widgetsread"), ["widgets", "read"]);
    assert_eq!(scope_words(v, "wikiedit"), ["wiki", "edit"]);
    assert_eq!(scope_words(v, "thread"), ["thread"]);
    assert_eq!(scope_words(v, "unread"), ["unread"]);
    assert_eq!(scope_words(v, "playlist"), ["playlist"]);
    assert_eq!(scope_words(v, "siteadmin"), ["admin"]);
    assert_eq!(scope_words(v, "liteprofile"), ["profile"]);
    assert_eq!(scope_words(v, "adminpanel"), ["admin", "panel"]);
    assert_eq!(scope_words(v, "updated"), ["updated"]);
    assert_eq!(scope_words(v, "assignments"), ["assignments"]);
    assert_eq!(scope_words(v, "deployment"), ["deployment"]);
    assert_eq!(scope_words(v, "profiles"), ["profiles"]);
    assert_eq!(scope_words(v, "robots"), ["robots"]);
    assert_eq!(class("manageusers"), "admin");
    assert_eq!(class("orgadmin"), "admin");
    assert_eq!(class("siteadmin"), "admin");
    assert_eq!(class("USERID"), "identity");
    assert_eq!(class("r_liteprofile"), "identity");
}

#[test]
fn a_wildcard_with_a_resource_is_every_action_on_it() {
    // Without a verb, `ALL`, `full` or `*` is every action on the resource.
    assert_eq!(class("calendar.full"), "write");
    assert_eq!(class("Widgets.modules.ALL"), "write");
    assert_eq!(class("Widgets.users.ALL"), "admin");
    assert_eq!(class("files:*"), "write");
    assert_eq!(class("billing.*"), "admin");
    // A write on `*`, every resource type, is full access.
    for scope in ["patient/*.*", "patient/*.cruds", "user/*.write", "*.write"] {
        let c = name(scope);
        assert_eq!(c.class, ScopeClass::Admin, "{scope}: {}", c.reason);
        assert!(c.god_mode, "{scope}");
    }
    // Reading every resource type is a read.
    assert_eq!(class("patient/*.read"), "read");
    assert_eq!(class("system/*.rs"), "read");
}

/// Nouns that, without a verb, can only mean acting in the service.
#[test]
fn bots_commands_and_incoming_webhooks_write() {
    for scope in [
        "bot",
        "chat:bot",
        "commands",
        "applications.commands",
        "incoming-webhook",
        "webhook.incoming",
        "app-remote-control",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("bots:read"), "read");
    assert_eq!(class("commands:read"), "read");
}

/// SMART App Launch: launch context is received (read), `fhirUser` is the
/// signed-in user.
#[test]
fn smart_launch_scopes() {
    for scope in ["launch", "launch/patient", "launch/encounter"] {
        assert_eq!(class(scope), "read", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("fhirUser"), "identity");
    assert_eq!(class("openid"), "identity");
}

/// People managed inside one community or by the caller itself are
/// writes; assigning a privileged role is administration.
#[test]
fn moderation_is_a_write_and_role_assignment_admin() {
    for scope in [
        "moderator:manage:banned_users",
        "user:manage:blocked_users",
        "editor:manage:clips",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("moderator:read:unban_requests"), "read");
    for scope in [
        "channel:manage:moderators",
        "account:master",
        "users:master",
    ] {
        assert_eq!(class(scope), "admin", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("manage_enterprise_properties"), "admin");
}

/// A personal-data attribute named without a verb is released: a read.
#[test]
fn a_personal_attribute_without_a_verb_is_a_read() {
    assert_eq!(class("campaigns.members[email]"), "read");
    assert_eq!(class("widgets.owner.address"), "read");
    assert_eq!(class("identity[email]"), "identity");
    // Sign-in words and profiles are not attributes: they say nothing of what
    // the scope allows.
    assert_eq!(class("pwdless_login_api"), "unknown");
    assert_eq!(class("cdp_profile_api"), "unknown");
    assert_eq!(class("resource_name"), "unknown");
}

/// A scope that names only a resource does not say what it allows: it stays
/// unknown (a published description can then decide), not a guess.
#[test]
fn a_bare_resource_is_unknown() {
    for scope in [
        "notifications",
        "guilds",
        "widgets",
        "org:billing",
        "k8s_proxy",
    ] {
        assert_eq!(class(scope), "unknown", "{scope}: {}", name(scope).reason);
    }
    let c = classify(
        "notifications",
        Hints {
            description: Some("Read your notifications"),
            risk: None,
        },
    )
    .unwrap();
    assert_eq!((c.class, c.source), (ScopeClass::Read, Source::Description));
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
    assert!(matches!(err, ScopeError::WholeTwice { .. }), "{err:?}");
    assert!(err.to_string().contains("twice"), "{err}");
    // Whole scopes are compared word by word: two spellings of one are a duplicate.
    let dup_spelling = VOCABULARY.replacen(
        "scopes = [\"api\"]",
        "scopes = [\"api\", \"Offline.Access\"]",
        1,
    );
    assert!(
        parse_vocabulary(&dup_spelling)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    let bad_manage = VOCABULARY.replacen(
        "manage = [\"manage\",",
        "manage = [\"manage\", \"read\",",
        1,
    );
    assert!(
        parse_vocabulary(&bad_manage)
            .unwrap_err()
            .to_string()
            .contains("`read`")
    );
    let two_letters = VOCABULARY.replacen("read = [\"r\", \"s\",", "read = [\"r\", \"d\",", 1);
    assert!(
        parse_vocabulary(&two_letters)
            .unwrap_err()
            .to_string()
            .contains("two classes")
    );
    assert_ne!(two_letters, VOCABULARY);
}

#[test]
fn permission_letters_after_an_underscore_are_read_last() {
    for (scope, expected) in [
        ("listings_r", "read"),
        ("listings_w", "write"),
        ("listings_d", "destructive"),
        ("groups_rw", "write"),
        // Two letters other than `rw` are a word, not letters.
        ("region_us", "unknown"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn an_action_in_the_query_is_read() {
    // AT Protocol permission scopes put the action in the query.
    assert_eq!(class("repo:*?action=delete"), "destructive");
    assert_eq!(class("repo:app.example.post?action=create"), "write");
    // Any other query is still dropped.
    assert_eq!(name("files?aud=x").reason, NO_ACTION_REASON);
}

#[test]
fn records_of_what_happened_and_exports_are_read() {
    // Exports and retrievals state a read.
    for scope in ["leads_retrieval", "portability.activity.single", "exports:fec"] {
        assert_eq!(class(scope), "read", "{scope}: {}", name(scope).reason);
    }
    // Records and readings named without an action suggest one: the
    // scope is assumed to be read, and still unclassified for the checks.
    for scope in [
        "stats",
        "buy.marketplace.insights",
        "buy.item.feed",
        "audit.logs",
        "Egnyte.audit",
        "request_receipt",
        "access_revenue",
        "vehicle_location",
        // The last word with a meaning.
        "statements_offline",
        "gateway_info",
        "location",
    ] {
        assert_eq!(class(scope), "unknown", "{scope}: {}", name(scope).reason);
        assert_eq!(assumed(scope), Some("read"), "{scope}: {}", name(scope).reason);
    }
    // Places an API keeps are not a reading: `locations` names no action.
    assert_eq!(name("locations").reason, NO_ACTION_REASON);
    assert_eq!(class("write_locations"), "write");
    // Beside an action word they are the resource it acts on.
    assert_eq!(class("analytics:write"), "write");
    assert_eq!(class("delete:logs"), "destructive");
    assert_eq!(class("user_data_redact"), "destructive");
}

#[test]
fn the_signed_in_users_own_things_named_without_an_action_are_released() {
    for scope in ["user_photos", "user_friends", "my_playlists"] {
        assert_eq!(class(scope), "read", "{scope}: {}", name(scope).reason);
    }
    // The account's own personal attribute is an identity claim; another
    // thing's is data released about someone.
    assert_eq!(class("account:email"), "identity");
    assert_eq!(class("user.email"), "identity");
    assert_eq!(class("campaigns.members[email]"), "read");
    // Claims of the signed-in user named as phrases.
    for scope in [
        "user.info.basic",
        "public_profile",
        "user.display_name",
        "user.external_id",
        "postal_code",
        "MOBILE_NUMBER",
        "user_age_range",
    ] {
        assert_eq!(class(scope), "identity", "{scope}: {}", name(scope).reason);
    }
    // One thing of the user, in the singular, is most often a claim: only
    // assumed, since a singular word can name a collection. A word with a
    // role says more than an attribute; settings are changed, not
    // released; an operation named in more words says nothing.
    for scope in ["user_hometown", "user_link", "profile.nickname2"] {
        assert_eq!(class(scope), "unknown", "{scope}: {}", name(scope).reason);
        assert_eq!(assumed(scope), Some("identity"), "{scope}: {}", name(scope).reason);
    }
    for scope in [
        "user_full",
        "user_all",
        "user_billing",
        "user_role",
        "user_api",
        "user_settings",
        "profile_full",
    ] {
        assert_ne!(assumed(scope), Some("identity"), "{scope}: {}", name(scope).reason);
        assert_ne!(class(scope), "identity", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(name("user-soa-link").reason, NO_ACTION_REASON);
    // `user` with an action keeps the action.
    assert_eq!(class("user_write"), "write");
}

#[test]
fn a_urn_namespace_identifier_names_the_provider_not_the_scope() {
    // RFC 8141: `urn:<NID>:<NSS>`; the NID is not a resource.
    assert_eq!(class("urn:example:orgs:update"), "admin");
    assert_eq!(class("urn:example:projects:read"), "read");
    assert_eq!(class("urn:example:projects:delete"), "destructive");
}

#[test]
fn words_the_lexicon_keeps_whole_are_not_split() {
    let v = vocabulary().unwrap();
    assert_eq!(scope_words(v, "voicemail"), ["voicemail"]);
    assert_ne!(class("Voicemail"), "identity");
    // A compound that really ends with an identity noun still keeps its
    // head noun.
    assert_eq!(scope_words(v, "workemail"), ["email"]);
}

#[test]
fn more_verbs_and_phrases() {
    for (scope, expected) in [
        ("memory-store.queue:discard", "destructive"),
        ("memory-store:flush", "destructive"),
        ("account_subscriptions_cancel", "destructive"),
        ("memory-store.queue:dequeue", "read"),
        ("super:user", "admin"),
        ("no_expiry", "identity"),
        ("UserPiiRead", "identity"),
        // Cancel beside another verb is the resource.
        ("cancellations:read", "read"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn smartthings_letters_and_a_last_star_are_every_object_not_every_type() {
    for (scope, expected) in [
        ("l:devices", "read"),
        ("r:devices:*", "read"),
        ("x:devices:*", "write"),
        ("w:devices:*", "write"),
        // SMART's `*` in the resource-type position is still every type.
        ("patient/*.cruds", "admin"),
        ("user/*.*", "admin"),
        ("orders.channel:void", "destructive"),
        ("identity.unlink-account", "destructive"),
        ("devices:disconnect", "destructive"),
        // Beside a write verb it is the resource.
        ("unlink:write", "write"),
    ] {
        assert_eq!(class(scope), expected, "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn every_one_of_the_users_own_claims_is_identity_and_settings_are_not_released() {
    assert_eq!(class("all_emails"), "identity");
    assert_eq!(class("files:all"), "write");
    // The user's settings are changed, not released.
    assert_ne!(class("user.payout-settings"), "read");
    assert_eq!(class("user_photos"), "read");
}

#[test]
fn the_new_readings_stay_narrow() {
    for (scope, not) in [
        // A prefix default and any action word come before records.
        ("https://www.googleapis.com/auth/analytics", "read"),
        ("https://www.googleapis.com/auth/analytics.user.deletion", "read"),
        // A record word that is not the last word is part of a type name.
        ("repo:app.bsky.feed.like", "read"),
        // An operation on the user is not the user's things released.
        ("user-soa-link", "read"),
        ("user-soa-unlink", "read"),
        ("user_registration_api", "read"),
        // Words that merely end like a verb are not split.
        ("overview", "read"),
        ("interviews", "read"),
        ("purview", "read"),
        ("backdrop", "destructive"),
        ("airdrop", "destructive"),
        ("typewriter", "write"),
        // SmartThings letters count only first.
        ("shirt_size_l", "read"),
        ("mcp.ls", "read"),
        ("twitter_x", "write"),
        ("font.xl", "write"),
    ] {
        assert_ne!(class(scope), not, "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn every_action_of_a_query_counts_and_survives_the_cap() {
    // Create with delete is a write that includes deletion.
    assert_eq!(class("repo:app.example.post?action=delete&action=create"), "write");
    assert_eq!(class("repo:app.example.post?action=update&action=delete"), "write");
    assert_eq!(class("repo:*?action=delete"), "destructive");
    assert_eq!(class("repo:app.example.post?Action=delete"), "destructive");
    let long = format!("{}?action=delete", "files.".repeat(90));
    assert_eq!(class(&long), "destructive");
    // No panic on odd queries.
    for scope in ["?", "?action=", "?=&&=", "x?action=\u{e9}\u{e9}", "x?action=*"] {
        let _ = name(scope);
    }
}

#[test]
fn urn_namespaces_never_panic_and_keep_their_meaning() {
    for scope in ["urn:", "urn:x:", "urn:\u{e9}:x", "urn\u{e9}:x", "URN:X:files:read", "urn"] {
        let _ = name(scope);
    }
    assert_eq!(class("URN:example:files:read"), "read");
    assert_eq!(class("urn:example:admin"), "admin");
}

#[test]
fn plural_accounts_are_records_and_the_account_is_the_tenant() {
    // A token acts in one account: writing it is administration.
    assert_eq!(class("account:write"), "admin");
    assert_eq!(class("write:org"), "admin");
    assert_eq!(class("write:organizations"), "admin");
    // The accounts an API keeps (bank, CRM, followed) are data.
    assert_eq!(class("accounts:write"), "write");
    assert_eq!(class("write:accounts"), "write");
    assert_eq!(class("EditAccounts"), "write");
    // Unless widened to everyone's, or behind an admin marker.
    assert_eq!(class("Accounts.ReadWrite.All"), "admin");
    assert_eq!(class("admin:write:accounts"), "admin");
    // Changing the organisation's people is administration; changing
    // one's own presence or follows is not.
    for scope in [
        "account_users_write",
        "update:organization_users",
        "organizations:teams:write",
    ] {
        assert_eq!(class(scope), "admin", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("users:write"), "write");
    assert_eq!(class("user:follow"), "write");
    // The people must be of the organisation, and what is written.
    for scope in [
        "user.account:write",
        "workspace.user.preferences:write",
        "account:user:profile:write",
    ] {
        assert_eq!(class(scope), "write", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("create:organization_user_roles"), "admin");
    // Managing the accounts an API keeps is administration; writing them
    // is not.
    for scope in ["manage_accounts", "invite:accounts", "accounts:manage"] {
        assert_eq!(class(scope), "admin", "{scope}: {}", name(scope).reason);
    }
    // Managing or inviting a user is administration; creating one, or
    // managing what is one's own, is not said to be.
    assert_eq!(class("user_access_manage"), "admin");
    assert_eq!(class("legacy-user:manage"), "admin");
    assert_eq!(class("user:create"), "write");
    assert_eq!(class("user:manage:blocked_users"), "write");
    assert_eq!(class("okta.users.manage.self"), "write");
    assert_eq!(class("read:organization_users"), "read");
}

#[test]
fn checking_a_value_is_a_read_and_personal_plurals_are_claims() {
    assert_eq!(class("p1:validate:userPassword"), "read");
    // Beside another action it is the resource.
    assert_eq!(class("validate:write"), "write");
    // Verifying starts a check (a code sent, a KYC case): not a read.
    for scope in ["kyc_verify", "payments:verify", "phone_verify"] {
        assert_ne!(class(scope), "read", "{scope}: {}", name(scope).reason);
    }
    // The user's own phones and addresses are claims; someone else's are
    // data; bare, they are resources (an address book, phone numbers).
    assert_eq!(class("IDENTITY_PHONES"), "identity");
    assert_eq!(class("user.addresses"), "identity");
    assert_eq!(class("contacts.phones"), "read");
    for scope in ["addresses", "phones"] {
        assert_ne!(class(scope), "identity", "{scope}: {}", name(scope).reason);
    }
}

#[test]
fn qualifiers_of_when_a_claim_is_released_do_not_hide_it() {
    // `offline` and `optional` say when or whether, not what.
    for scope in ["email_offline", "phone_offline_optional", "/authenticate"] {
        assert_eq!(class(scope), "identity", "{scope}: {}", name(scope).reason);
    }
    assert_eq!(class("offline_access"), "identity");
    assert_ne!(class("authenticate:write"), "identity");
    // The plural of a read verb reads; beside a write it is the resource.
    assert_eq!(class("exports:fec"), "read");
    assert_eq!(class("exports:write"), "write");
}
