//! The seed server's handlers: rate limit, auth, scope header, validation
//! and the five seed routes, with errors in the server's [`Style`]; every
//! other path is the framework's "no such route".

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::refuse;
use super::style::Style;
use super::{DeleteAnswer, Ids, Row, SeedOptions, Seen, State};

/// The providers this product supports (its pydantic `Literal`).
const PROVIDERS: &[&str] = &["openai", "anthropic", "gemini", "groq", "acme-llm"];
/// The product's own model-length limit (stricter than llmcfg's 256).
const MODEL_MAX: usize = 100;

#[derive(Clone)]
struct App {
    options: Arc<SeedOptions>,
    state: Arc<Mutex<State>>,
}

pub fn router(options: Arc<SeedOptions>, state: Arc<Mutex<State>>) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(App { options, state })
}

/// One rejected field: FastAPI's message and the plain rule other
/// frameworks phrase.
pub struct Problem {
    pub field: String,
    pub pydantic: String,
    pub rule: String,
}

fn problem(field: &str, pydantic: &str, rule: &str) -> Problem {
    Problem {
        field: field.into(),
        pydantic: pydantic.into(),
        rule: rule.into(),
    }
}

fn invalid(style: Style, list: Vec<Problem>) -> Response {
    let pairs: Vec<(String, String)> = list
        .into_iter()
        .map(|p| match style {
            Style::FastApi => (p.field, p.pydantic),
            _ => (p.field, p.rule),
        })
        .collect();
    style.invalid(&pairs)
}

/// Python's `datetime.now(timezone.utc).isoformat()`: microseconds, `+00:00`.
fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// The seed's own mask: `sk-ant-...XXXX`, `sk-...XXXX`, else `...XXXX`.
fn mask(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if key.starts_with("sk-ant-") {
        format!("sk-ant-...{tail}")
    } else if key.starts_with("sk-") {
        format!("sk-...{tail}")
    } else {
        format!("...{tail}")
    }
}

fn view(row: &Row, instance: &Option<String>, options: &SeedOptions) -> Value {
    let mut v = json!({
        "id": row.id,
        "provider": row.provider,
        "model": row.model,
        "api_key_masked": mask(&row.api_key),
        "instance_id": instance,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "is_active": true,
    });
    if options.keeps_base_url {
        v["base_url"] = json!(row.base_url);
    }
    v
}

async fn handle(
    AxState(app): AxState<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let instance = headers
        .get("x-instance-id")
        .map(|v| v.to_str().unwrap_or("").to_string());
    app.state.lock().unwrap().seen.push(Seen {
        method: method.to_string(),
        path: uri.to_string(),
        instance: instance.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes())))
            .collect::<Vec<_>>()
            .join("\n"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let options = &app.options;
    let style = options.style;
    if let Some(limit) = &options.rate_limit
        && let Some(wait) = super::throttle::admit(limit, &mut app.state.lock().unwrap())
    {
        return super::throttle::refuse(limit, wait);
    }
    if let Some(to) = &options.redirect_to {
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", format!("{to}{}", uri.path()))],
        )
            .into_response();
    }
    // A gateway in front checks the credentials of every request, the
    // OpenAPI document's too.
    if options.auth_everywhere
        && let Some(refused) = refuse(options, &headers, uri.path())
    {
        return refused;
    }
    let path = uri.path();
    let Some(route) = path.strip_prefix(options.prefix) else {
        return style.no_route(method.as_str(), path, false);
    };
    if route == "/openapi.json" && method == Method::GET && options.openapi {
        return axum::Json(openapi(options.prefix)).into_response();
    }
    let known = matches!(
        (route, &method),
        (
            "/llm-config/",
            &Method::GET | &Method::POST | &Method::PATCH | &Method::DELETE
        ) | ("/llm-config/test-connection", &Method::POST)
    );
    if !known {
        let route_exists = route == "/llm-config/" || route == "/llm-config/test-connection";
        return style.no_route(method.as_str(), path, route_exists);
    }
    if let Some(refused) = refuse(options, &headers, path) {
        return refused;
    }
    if instance.as_deref().is_some_and(|i| i.trim().is_empty()) {
        return style.error(
            StatusCode::BAD_REQUEST,
            "X-Instance-Id must not be empty",
            path,
        );
    }
    let scope = instance;
    if route == "/llm-config/test-connection" {
        return test_connection(&app, &scope, path).await;
    }
    let nest = style == Style::NestJs;
    let mut state = app.state.lock().unwrap();
    match (route, method) {
        ("/llm-config/", Method::GET) => match state.rows.get(&scope) {
            Some(row) => axum::Json(view(row, &scope, options)).into_response(),
            // NestJS serialises a handler's `null` as an empty 200 body.
            None if nest => StatusCode::OK.into_response(),
            None => axum::Json(Value::Null).into_response(),
        },
        ("/llm-config/", Method::POST) => {
            let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&body) else {
                return invalid(
                    style,
                    vec![problem(
                        "body",
                        "Input should be a valid dictionary",
                        "must be a JSON object",
                    )],
                );
            };
            let mut list = Vec::new();
            for field in ["provider", "model", "api_key"] {
                match obj.get(field) {
                    None => list.push(problem(field, "Field required", "should not be empty")),
                    Some(Value::String(_)) => {}
                    Some(_) => list.push(problem(
                        field,
                        "Input should be a valid string",
                        "must be a string",
                    )),
                }
            }
            list.extend(check_fields(&obj));
            if !list.is_empty() {
                return invalid(style, list);
            }
            if state.rows.contains_key(&scope) {
                return style.error(
                    StatusCode::CONFLICT,
                    "LLM config already exists for this scope",
                    path,
                );
            }
            let id = match options.ids {
                Ids::Integer => {
                    state.next_id += 1;
                    json!(state.next_id - 1)
                }
                Ids::Uuid => json!(uuid::Uuid::new_v4().to_string()),
            };
            let at = now();
            let row = Row {
                id,
                provider: obj["provider"].as_str().unwrap().to_string(),
                model: obj["model"].as_str().unwrap().to_string(),
                api_key: obj["api_key"].as_str().unwrap().to_string(),
                base_url: options
                    .keeps_base_url
                    .then(|| {
                        obj.get("base_url")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .flatten(),
                created_at: at.clone(),
                updated_at: at,
            };
            let v = view(&row, &scope, options);
            state.rows.insert(scope, row);
            (StatusCode::CREATED, axum::Json(v)).into_response()
        }
        ("/llm-config/", Method::PATCH) => {
            let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&body) else {
                return invalid(
                    style,
                    vec![problem(
                        "body",
                        "Input should be a valid dictionary",
                        "must be a JSON object",
                    )],
                );
            };
            let list = check_fields(&obj);
            if !list.is_empty() {
                return invalid(style, list);
            }
            let Some(row) = state.rows.get_mut(&scope) else {
                return style.not_configured(path);
            };
            if let Some(p) = obj.get("provider").and_then(Value::as_str) {
                row.provider = p.to_string();
            }
            if let Some(m) = obj.get("model").and_then(Value::as_str) {
                row.model = m.to_string();
            }
            if let Some(k) = obj.get("api_key").and_then(Value::as_str) {
                row.api_key = k.to_string();
            }
            if options.keeps_base_url && obj.contains_key("base_url") {
                row.base_url = obj["base_url"].as_str().map(str::to_string);
            }
            row.updated_at = now();
            let v = view(row, &scope, options);
            axum::Json(v).into_response()
        }
        ("/llm-config/", Method::DELETE) => {
            if state.rows.remove(&scope).is_none() {
                return style.not_configured(path);
            }
            match options.delete {
                _ if nest => StatusCode::OK.into_response(),
                DeleteAnswer::NoContent => StatusCode::NO_CONTENT.into_response(),
                DeleteAnswer::OkWithBody => {
                    axum::Json(json!({"message": "LLM config deleted"})).into_response()
                }
            }
        }
        _ => style.no_route("GET", path, false),
    }
}

/// The seed's four-field answer, after `test_delay`; counts how many run at
/// once (the lock is never held across the wait).
async fn test_connection(app: &App, scope: &Option<String>, path: &str) -> Response {
    let row = app.state.lock().unwrap().rows.get(scope).cloned();
    let Some(row) = row else {
        return app.options.style.not_configured(path);
    };
    {
        let mut state = app.state.lock().unwrap();
        state.tests_in_flight += 1;
        state.most_tests_at_once = state.most_tests_at_once.max(state.tests_in_flight);
    }
    tokio::time::sleep(app.options.test_delay).await;
    {
        let mut state = app.state.lock().unwrap();
        state.tests_in_flight -= 1;
        *state.tested.entry(scope.clone()).or_default() += 1;
    }
    let good = app.options.good_keys.contains(&row.api_key);
    // NestJS answers every POST with 201 unless told otherwise.
    let status = if app.options.style == Style::NestJs {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        axum::Json(json!({
            "success": good,
            "provider": row.provider,
            "model": row.model,
            "message": if good { "Connection successful" } else { "Authentication failed: the provider rejected the API key" },
        })),
    )
        .into_response()
}

/// The product's checks of the fields present in a create or patch body.
fn check_fields(obj: &serde_json::Map<String, Value>) -> Vec<Problem> {
    let mut list = Vec::new();
    if let Some(Value::String(p)) = obj.get("provider")
        && !PROVIDERS.contains(&p.as_str())
    {
        list.push(problem(
            "provider",
            &format!(
                "Input should be {}",
                PROVIDERS
                    .iter()
                    .map(|p| format!("'{p}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &format!(
                "must be one of the following values: {}",
                PROVIDERS.join(", ")
            ),
        ));
    }
    if let Some(Value::String(m)) = obj.get("model")
        && (m.is_empty() || m.chars().count() > MODEL_MAX)
    {
        list.push(problem(
            "model",
            &format!("String should have between 1 and {MODEL_MAX} characters"),
            &format!("must be shorter than or equal to {MODEL_MAX} characters"),
        ));
    }
    if let Some(Value::String(k)) = obj.get("api_key")
        && k.is_empty()
    {
        list.push(problem(
            "api_key",
            "String should have at least 1 character",
            "should not be empty",
        ));
    }
    list
}

/// What FastAPI publishes for the seed routes only.
fn openapi(prefix: &str) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Control plane", "version": "1.0.0"},
        "paths": {
            format!("{prefix}/llm-config/"): {"get": {}, "post": {}, "patch": {}, "delete": {}},
            format!("{prefix}/llm-config/test-connection"): {"post": {}},
        }
    })
}
