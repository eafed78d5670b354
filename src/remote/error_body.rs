//! One reader for error bodies, whatever framework wrote them: the human
//! messages and the rejected fields of FastAPI/DRF `detail` (text or list),
//! RFC 9457 problem+json, NestJS/Express `message` (text or list), Spring
//! Boot, Laravel, Rails, DRF field dicts and `error` (text or object).
//! Anything else is [`Shape::Unknown`] and is shown as the status and the
//! body's first line. Only the words are read here; the exit code follows
//! the status (`answer.rs`), never the shape.

use serde::Serialize;
use serde_json::{Map, Value};

/// Longest piece of an unrecognised body quoted in a message, in
/// characters: an HTML error page may be one minified line of many
/// kilobytes. Recognised messages are always shown in full.
const QUOTE_CHARS: usize = 300;

/// Which convention an error body follows (`remote check` reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `{"detail": "text"}` (FastAPI, Django REST framework).
    Detail,
    /// FastAPI's `{"detail": [{"loc": […], "msg": …}]}`.
    DetailList,
    /// RFC 9457 problem details (`type`, `title`, `status`, `detail`, `errors`).
    Problem,
    /// NestJS/Express `{"message": text | [text]}`.
    Message,
    /// Spring Boot `{timestamp, status, error, message, path}`.
    Spring,
    /// Laravel `{message, errors: {field: [text]}}`.
    Laravel,
    /// Rails `{errors: [text]}` or `{errors: {field: [text]}}`.
    Rails,
    /// Django REST framework `{"field": ["text"], "non_field_errors": […]}`.
    FieldDict,
    /// `{"error": text}` or `{"error": {"message": text}}`.
    Error,
    /// None of the above (HTML, plain text, other JSON, empty).
    Unknown,
}

impl Shape {
    /// How the shape is named to a user.
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Detail => "detail text (FastAPI / Django REST)",
            Shape::DetailList => "FastAPI validation list",
            Shape::Problem => "RFC 9457 problem+json",
            Shape::Message => "message text or list (NestJS / Express)",
            Shape::Spring => "Spring Boot error",
            Shape::Laravel => "Laravel message and errors",
            Shape::Rails => "Rails errors",
            Shape::FieldDict => "Django REST field errors",
            Shape::Error => "error text or object",
            Shape::Unknown => "unrecognised",
        }
    }
}

/// One rejected field and the server's message about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field path without a leading `body`/`header`/`query` part,
    /// joined with `.` (`model`, `items.0.name`).
    pub field: String,
    /// The server's message.
    pub message: String,
}

/// What an error body says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// The convention it follows.
    pub shape: Shape,
    /// Messages about the request as a whole, in the server's order.
    pub messages: Vec<String>,
    /// Messages about one field each, in the server's order.
    pub fields: Vec<FieldProblem>,
}

/// Where a FastAPI `loc` starts; these name the request part, not a field.
const LOCATION_ROOTS: &[&str] = &["body", "header", "query", "path", "cookie"];

impl ErrorBody {
    /// Reads `body`; never fails (an unreadable body is [`Shape::Unknown`]).
    pub fn read(body: &[u8]) -> ErrorBody {
        let parsed = serde_json::from_slice::<Value>(body).ok();
        let read = match &parsed {
            Some(Value::Object(obj)) => read_object(obj),
            _ => None,
        };
        read.filter(|b| !b.messages.is_empty() || !b.fields.is_empty())
            .unwrap_or(ErrorBody {
                shape: Shape::Unknown,
                messages: Vec::new(),
                fields: Vec::new(),
            })
    }

    /// Every message as one line: the request-wide ones, then `field:
    /// message` for each field; `None` when the body said nothing readable.
    pub fn text(&self) -> Option<String> {
        let parts: Vec<String> = self
            .messages
            .iter()
            .filter(|m| !self.repeats_a_field(m))
            .cloned()
            .chain(
                self.fields
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message)),
            )
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// True for a summary such as Laravel's "The model field is required.
    /// (and 1 more error)", which only repeats the first field's message.
    pub fn repeats_a_field(&self, message: &str) -> bool {
        self.fields
            .iter()
            .any(|p| !p.message.is_empty() && message.starts_with(&p.message))
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Strings of a string or a list of strings (lists may hold objects with a
/// `message`/`msg`/`detail`).
fn texts_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(item_text).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

fn item_text(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => ["detail", "message", "msg", "defaultMessage", "title"]
            .iter()
            .find_map(|k| o.get(*k).and_then(text_of)),
        other => text_of(other),
    }
}

/// A field name from a JSON pointer (`#/model`, `/model`) or a dotted path.
fn pointer_field(p: &str) -> String {
    p.trim_start_matches('#')
        .trim_start_matches('/')
        .replace('/', ".")
}

/// `{field: [text] | text}` as field problems.
fn field_map(obj: &Map<String, Value>) -> Vec<FieldProblem> {
    obj.iter()
        .flat_map(|(field, v)| {
            texts_of(v).into_iter().map(|message| FieldProblem {
                field: field.clone(),
                message,
            })
        })
        .collect()
}

/// A list of error objects, each naming its field as `field`, `param`,
/// `pointer`, `source.pointer` or `loc`; the ones without a field are
/// request-wide messages.
fn error_list(items: &[Value]) -> (Vec<String>, Vec<FieldProblem>) {
    let mut messages = Vec::new();
    let mut fields = Vec::new();
    for item in items {
        let Some(message) = item_text(item) else {
            continue;
        };
        let field = item.as_object().and_then(|o| {
            o.get("field")
                .or_else(|| o.get("param"))
                .and_then(text_of)
                .or_else(|| {
                    o.get("pointer")
                        .or_else(|| o.get("source").and_then(|s| s.get("pointer")))
                        .and_then(Value::as_str)
                        .map(pointer_field)
                })
                .or_else(|| o.get("loc").map(loc_field))
                .filter(|f| !f.is_empty())
        });
        match field {
            Some(field) => fields.push(FieldProblem { field, message }),
            None => messages.push(message),
        }
    }
    (messages, fields)
}

/// A FastAPI `loc` (`["body", "model"]`) as `model`; `body` alone stays.
fn loc_field(loc: &Value) -> String {
    let parts: Vec<String> = match loc {
        Value::Array(parts) => parts
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        other => text_of(other).into_iter().collect(),
    };
    let skip = usize::from(parts.len() > 1 && LOCATION_ROOTS.contains(&parts[0].as_str()));
    parts[skip..].join(".")
}

fn body(shape: Shape, messages: Vec<String>, fields: Vec<FieldProblem>) -> Option<ErrorBody> {
    Some(ErrorBody {
        shape,
        messages,
        fields,
    })
}

/// The `errors` member as field problems and messages: a field map, or a
/// list of texts or error objects.
fn errors_member(v: Option<&Value>) -> (Vec<String>, Vec<FieldProblem>) {
    match v {
        Some(Value::Object(map)) => (Vec::new(), field_map(map)),
        Some(Value::Array(items)) => error_list(items),
        _ => (Vec::new(), Vec::new()),
    }
}

fn read_object(obj: &Map<String, Value>) -> Option<ErrorBody> {
    // RFC 9457: a `title` with a `type` or `status` beside it.
    if obj.get("title").is_some_and(Value::is_string)
        && (obj.contains_key("type") || obj.contains_key("status"))
    {
        let (mut messages, fields) = errors_member(obj.get("errors"));
        let lead = obj
            .get("detail")
            .and_then(text_of)
            .or_else(|| obj.get("title").and_then(text_of));
        messages.splice(0..0, lead);
        return body(Shape::Problem, messages, fields);
    }
    if let Some(detail) = obj.get("detail") {
        return match detail {
            Value::Array(items) if items.iter().any(|i| i.get("loc").is_some()) => {
                let (messages, fields) = error_list(items);
                let fields = fields
                    .into_iter()
                    .chain(messages.into_iter().map(|message| FieldProblem {
                        field: "body".into(),
                        message,
                    }))
                    .collect();
                body(Shape::DetailList, Vec::new(), fields)
            }
            Value::Object(_) => body(
                Shape::Detail,
                item_text(detail).into_iter().collect(),
                Vec::new(),
            ),
            other => body(Shape::Detail, texts_of(other), Vec::new()),
        };
    }
    // Spring Boot: `message` is often empty (`server.error.include-message`
    // defaults to never), and then `error` (the status phrase) is all there is.
    if ["timestamp", "status", "error", "path"]
        .iter()
        .all(|k| obj.contains_key(*k))
    {
        let (_, fields) = errors_member(obj.get("errors"));
        let lead = obj
            .get("message")
            .and_then(text_of)
            .or_else(|| obj.get("error").and_then(text_of));
        return body(Shape::Spring, lead.into_iter().collect(), fields);
    }
    if let Some(message) = obj.get("message") {
        if let Some(Value::Object(map)) = obj.get("errors") {
            return body(Shape::Laravel, texts_of(message), field_map(map));
        }
        // NestJS puts the status phrase in `error` beside `message`: it adds
        // nothing a user needs.
        return body(Shape::Message, texts_of(message), Vec::new());
    }
    if let Some(errors) = obj.get("errors") {
        let (messages, fields) = errors_member(Some(errors));
        return body(Shape::Rails, messages, fields);
    }
    if let Some(error) = obj.get("error") {
        return match error {
            Value::Object(inner) => {
                let field = inner.get("param").or_else(|| inner.get("field"));
                match (item_text(error), field.and_then(text_of)) {
                    (Some(message), Some(field)) => body(
                        Shape::Error,
                        Vec::new(),
                        vec![FieldProblem { field, message }],
                    ),
                    (message, _) => body(Shape::Error, message.into_iter().collect(), Vec::new()),
                }
            }
            other => {
                let mut messages = texts_of(other);
                messages.extend(obj.get("error_description").and_then(text_of));
                body(Shape::Error, messages, Vec::new())
            }
        };
    }
    // DRF: every member a list of texts; `non_field_errors` is request-wide.
    let drf = !obj.is_empty()
        && obj.values().all(|v| {
            matches!(v, Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string))
        });
    if drf {
        let mut messages = Vec::new();
        let mut fields = Vec::new();
        for (field, v) in obj {
            let texts = texts_of(v);
            if field == "non_field_errors" {
                messages.extend(texts);
            } else {
                fields.extend(texts.into_iter().map(|message| FieldProblem {
                    field: field.clone(),
                    message,
                }));
            }
        }
        return body(Shape::FieldDict, messages, fields);
    }
    None
}

/// The first non-empty line of `body`, shortened past [`QUOTE_CHARS`], or
/// `(empty body)`.
pub fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        None => "(empty body)".into(),
        Some(l) if l.chars().count() > QUOTE_CHARS => {
            format!("{}…", l.chars().take(QUOTE_CHARS).collect::<String>())
        }
        Some(l) => l.to_string(),
    }
}

mod router;
#[cfg(test)]
mod tests;
