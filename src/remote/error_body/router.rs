//! A router's "no such route", told from an application's 404: the words
//! each framework's router uses when no handler matches.

use super::{ErrorBody, Shape};

impl ErrorBody {
    /// True when the body is a framework's "no such route" rather than an
    /// application's answer: every 405, and a 404 whose body is not JSON (a
    /// proxy's or web server's page, Go's `404 page not found`) or whose
    /// message is a router's (`Not Found`, Express/NestJS `Cannot POST /…`,
    /// Rails `No route matches`, Laravel `The route … could not be found`,
    /// Spring `No handler found` / `No static resource`).
    pub fn says_route_missing(&self, status: u16) -> bool {
        match status {
            405 => true,
            404 if self.shape == Shape::Unknown => true,
            404 => self.messages.iter().any(|m| router_message(m)),
            _ => false,
        }
    }

    /// True when a message is a router's explicit word that this method and
    /// path have no handler (`Cannot POST /…`, `No route matches`, `No
    /// handler found`), stronger than a bare `Not Found`.
    pub fn names_missing_route(&self) -> bool {
        self.messages.iter().any(|m| {
            let m = m.trim().to_ascii_lowercase();
            m.starts_with("cannot ") && m.contains(" /")
                || m.starts_with("no route matches")
                || m.starts_with("no handler found")
                || m.contains("no such route")
        })
    }
}

/// A router's own "no such route" wording.
fn router_message(message: &str) -> bool {
    let m = message.trim().trim_end_matches('.').to_ascii_lowercase();
    let cannot_method = ["get", "post", "put", "patch", "delete", "head", "options"]
        .iter()
        .any(|method| m.starts_with(&format!("cannot {method} /")));
    m == "not found"
        || m == "404 page not found"
        || cannot_method
        || m.starts_with("no route matches")
        || m.starts_with("no handler found")
        || m.starts_with("no static resource")
        || m.contains("no such route")
        || m.contains("route not found")
        || (m.starts_with("the route ") && m.ends_with("could not be found"))
}
