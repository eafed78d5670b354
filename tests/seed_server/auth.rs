//! The seed server's credential check: the token in its header, and the
//! session cookie and fixed header when the variant asks for them, each
//! refused in the server's own [`Style`].

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::style::Style;
use super::{ADMIN_TOKEN, SeedOptions, VIEWER_TOKEN};

/// The answer refusing a request's credentials, or `None` to let it in:
/// the token (in its header), then the session cookie and the fixed header
/// when the variant asks for them.
pub fn refuse(options: &SeedOptions, headers: &HeaderMap, path: &str) -> Option<Response> {
    let style: Style = options.style;
    let token = match options.auth_header {
        Some(name) => headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        None => headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string),
    };
    let unauthorized = || Some(style.error(StatusCode::UNAUTHORIZED, "Not authenticated", path));
    if let Some((name, value)) = options.cookie {
        let sent = headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim() == format!("{name}={value}"));
        if !sent {
            return unauthorized();
        }
    }
    if let Some((name, value)) = options.extra_header
        && headers.get(name).and_then(|v| v.to_str().ok()) != Some(value)
    {
        return Some(style.error(StatusCode::FORBIDDEN, "Gateway key required", path));
    }
    match token.as_deref() {
        Some(ADMIN_TOKEN) => None,
        Some(VIEWER_TOKEN) => {
            Some(style.error(StatusCode::FORBIDDEN, "Superadmin access required", path))
        }
        _ => unauthorized(),
    }
}
