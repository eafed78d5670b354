//! The route table: every route of design §3 once, with what the OpenAPI
//! document says about it. The router is built from this table, so the
//! document cannot list a route that is not served, or miss one that is.

use axum::routing::{MethodRouter, delete, get, patch, post};

use super::AppState;
use super::fleet;
use super::handlers;
use super::jobs;
use super::parity;
use super::rotation;
use crate::api;

/// One served route.
pub struct Route {
    /// Lower-case HTTP method, as OpenAPI spells it.
    pub method: &'static str,
    /// Path.
    pub path: &'static str,
    /// Needs a superadmin bearer token.
    pub auth: bool,
    /// Reads `X-Instance-Id`.
    pub scoped: bool,
    /// One line for the document.
    pub summary: &'static str,
    /// Schema name of the JSON request body, if any.
    pub body: Option<&'static str>,
    /// Query parameters: name, schema type, description.
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// Success status, its description and the schema of its body.
    pub success: (u16, &'static str, Option<&'static str>),
    /// Route-specific error statuses and when they happen.
    pub errors: &'static [(u16, &'static str)],
    /// The handler.
    pub handler: fn() -> MethodRouter<AppState>,
}

/// Every route.
pub const ROUTES: &[Route] = &[
    Route {
        method: "get",
        path: api::CONFIG_PATH,
        auth: true,
        scoped: true,
        summary: "The configuration of the scope, or null when it has none",
        body: None,
        query: &[],
        success: (200, "The config view, or null", Some("ConfigViewOrNull")),
        errors: &[],
        handler: || get(handlers::get_config),
    },
    Route {
        method: "post",
        path: api::CONFIG_PATH,
        auth: true,
        scoped: true,
        summary: "Create the configuration of the scope",
        body: Some("NewConfig"),
        query: &[],
        success: (201, "Created", Some("ConfigView")),
        errors: &[
            (409, "The scope already has a configuration"),
            (422, "A field breaks a rule, or an unknown field was sent"),
        ],
        handler: || post(handlers::create_config),
    },
    Route {
        method: "patch",
        path: api::CONFIG_PATH,
        auth: true,
        scoped: true,
        summary: "Change some fields; a new provider or base URL needs a new api_key",
        body: Some("ConfigPatch"),
        query: &[],
        success: (200, "Updated", Some("ConfigView")),
        errors: &[
            (404, "The scope has no configuration"),
            (
                409,
                "Valid alone, but conflicts with the stored configuration \
                 (clearing the base URL of a provider that has no default)",
            ),
            (422, "A field breaks a rule, or an unknown field was sent"),
        ],
        handler: || patch(handlers::update_config),
    },
    Route {
        method: "delete",
        path: api::CONFIG_PATH,
        auth: true,
        scoped: true,
        summary: "Delete the configuration of the scope",
        body: None,
        query: &[],
        success: (204, "Deleted", None),
        errors: &[(404, "The scope has no configuration")],
        handler: || delete(handlers::delete_config),
    },
    Route {
        method: "post",
        path: api::TEST_PATH,
        auth: true,
        scoped: true,
        summary: "Test the stored credentials against the provider's models API; \
                  targets refused by the SSRF guard report status `blocked`",
        body: None,
        query: &[],
        success: (
            200,
            "The outcome (success may be false)",
            Some("TestResult"),
        ),
        errors: &[
            (404, "The scope has no configuration"),
            (400, "Malformed JSON in an optional body"),
            (413, "Body larger than 64 KiB"),
            (415, "A body that is not application/json"),
            (422, "A body with fields (the route takes none)"),
        ],
        handler: || post(handlers::test_connection),
    },
    Route {
        method: "get",
        path: api::INSTANCES_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: every scope with its config view and last test",
        body: None,
        query: &[],
        success: (200, "Scopes, control plane first", Some("InstanceList")),
        errors: &[],
        handler: || get(handlers::instances),
    },
    Route {
        method: "get",
        path: api::PROVIDERS_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: the provider catalog",
        body: None,
        query: &[],
        success: (200, "Catalog entries", Some("ProviderList")),
        errors: &[],
        handler: || get(handlers::providers),
    },
    Route {
        method: "get",
        path: api::AUDIT_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: the audit log, newest first",
        body: None,
        query: &[
            (
                "instance",
                "string",
                "Only this instance; empty for the control plane; absent for all",
            ),
            ("limit", "integer", "Most entries (default 100, 1 to 10000)"),
        ],
        success: (200, "Audit entries", Some("AuditList")),
        errors: &[(422, "limit out of range")],
        handler: || get(handlers::audit),
    },
    Route {
        method: "post",
        path: api::INSTANCES_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: register an instance id so it is listed before it has a configuration",
        body: Some("RegisterInstance"),
        query: &[],
        success: (201, "Registered", Some("RegisterInstance")),
        errors: &[],
        handler: || post(parity::register_instance),
    },
    Route {
        method: "get",
        path: api::MODELS_PATH,
        auth: true,
        scoped: true,
        summary: "Extension: live model ids the scope's stored key can use",
        body: None,
        query: &[],
        success: (200, "Model ids", Some("ModelList")),
        errors: &[
            (404, "The scope has no configuration"),
            (
                424,
                "The provider refused or could not answer the model list",
            ),
        ],
        handler: || get(parity::models),
    },
    Route {
        method: "post",
        path: api::MODELS_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: live model ids for an unsaved provider, key and base URL \
                  (the key travels in the body, never the URL)",
        body: Some("ModelsForRequest"),
        query: &[],
        success: (200, "Model ids", Some("ModelList")),
        errors: &[(
            424,
            "The provider refused or could not answer the model list",
        )],
        handler: || post(parity::models_for),
    },
    Route {
        method: "get",
        path: api::OPENAPI_PATH,
        auth: false,
        scoped: false,
        summary: "This document",
        body: None,
        query: &[],
        success: (200, "OpenAPI 3.1 document", None),
        errors: &[],
        handler: || get(handlers::openapi),
    },
    Route {
        method: "get",
        path: api::HEALTH_PATH,
        auth: false,
        scoped: false,
        summary: "Liveness probe",
        body: None,
        query: &[],
        success: (200, "Always {\"status\": \"ok\"}", None),
        errors: &[],
        handler: || get(handlers::healthz),
    },
    Route {
        method: "post",
        path: api::KEY_FINGERPRINT_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: the store's keyed fingerprint of a key (the key travels in the \
                  body, is never stored or logged)",
        body: Some("KeyFingerprintRequest"),
        query: &[],
        success: (200, "The fingerprint", Some("KeyFingerprint")),
        errors: &[],
        handler: || post(fleet::key_fingerprint),
    },
    Route {
        method: "get",
        path: api::VERSIONS_PATH,
        auth: true,
        scoped: true,
        summary: "Extension: the scope's kept versions, newest first (never a key)",
        body: None,
        query: &[(
            "limit",
            "integer",
            "Most versions (default 100, 1 to 10000)",
        )],
        success: (200, "Kept versions", Some("VersionList")),
        errors: &[(422, "limit out of range")],
        handler: || get(fleet::versions),
    },
    Route {
        method: "post",
        path: api::RESTORE_PATH,
        auth: true,
        scoped: true,
        summary: "Extension: make a kept version of the scope current again (also after a delete)",
        body: Some("RestoreRequest"),
        query: &[],
        success: (200, "The restored configuration", Some("ConfigView")),
        errors: &[
            (404, "The scope keeps no version with this number"),
            (409, "The version records the deletion of the configuration"),
        ],
        handler: || post(fleet::restore),
    },
    Route {
        method: "get",
        path: api::KEYS_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: every key in use by fingerprint, with its scopes and their last tests",
        body: None,
        query: &[],
        success: (200, "Keys in use, most-used first", Some("KeyMap")),
        errors: &[],
        handler: || get(fleet::keys),
    },
    Route {
        method: "post",
        path: api::rotation::ROTATE_KEY_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: test a new key against every scope using the key with this \
                  fingerprint, then swap it where it passed (or all or none, or none: mode)",
        body: Some("RotateKeyRequest"),
        query: &[],
        success: (200, "Each affected scope's outcome", Some("RotationReport")),
        errors: &[
            (404, "No scope uses a key with this fingerprint"),
            (409, "The new key is the key it would replace"),
        ],
        handler: || post(rotation::rotate_key),
    },
    Route {
        method: "post",
        path: api::rotation::ROLLBACK_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: restore each scope a rotation swapped to its version before the swap",
        body: Some("RollbackRequest"),
        query: &[],
        success: (200, "The scopes restored", Some("RollbackReport")),
        errors: &[
            (404, "No rotation has this id"),
            (
                409,
                "Scopes changed since the rotation (named); nothing was restored",
            ),
        ],
        handler: || post(rotation::rollback),
    },
    Route {
        method: "get",
        path: jobs::JOBS_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: the server's jobs (running, and the last ended ones), oldest first",
        body: None,
        query: &[],
        success: (
            200,
            "Every job kept, with its per-scope rows",
            Some("JobList"),
        ),
        errors: &[],
        handler: || get(jobs::list),
    },
    Route {
        method: "post",
        path: jobs::JOBS_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: start a job (\"test_all\": test every configured scope); \
                  answers at once, the job runs on",
        body: Some("StartJobRequest"),
        query: &[],
        success: (202, "The job as it starts", Some("Job")),
        errors: &[(
            422,
            "A field breaks a rule (unknown kind, concurrency out of range)",
        )],
        handler: || post(jobs::start),
    },
    Route {
        method: "get",
        path: jobs::FOLLOW_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: long-poll a job: answers once it has more than `after` rows or \
                  has ended, or as it stands after 20 s",
        body: None,
        query: &[
            ("id", "integer", "The job's id"),
            (
                "after",
                "integer",
                "Rows the follower has already (default 0)",
            ),
        ],
        success: (200, "The job", Some("Job")),
        errors: &[(404, "No job has this id")],
        handler: || get(jobs::follow),
    },
    Route {
        method: "post",
        path: jobs::CANCEL_PATH,
        auth: true,
        scoped: false,
        summary: "Extension: cancel a job: no new scope starts; those under way finish and \
                  are reported",
        body: None,
        query: &[("id", "integer", "The job's id")],
        success: (200, "The job as it stands", Some("Job")),
        errors: &[(404, "No job has this id")],
        handler: || post(jobs::cancel),
    },
];
