//! The edge every request passes before routing: secret headers marked
//! sensitive, the access log, the declared-size refusal, the request
//! timeout and the `{"detail"}` body of errors the router or a layer
//! answered without one.
//!
//! One tower service with its own future rather than a layer or a
//! `from_fn` middleware each: every `from_fn` boxes the request's future
//! and clones the service inside into a box, and the five layers (with the
//! outer router they sat in) cost more instructions than the JSON of the
//! answer to `GET /llm-config/` (`docs/benchmarks.md`, "The GET hot path,
//! fourth round"). Each rule
//! stays in its own file; this one only says in which order they apply.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use super::access_log::RequestLog;
use super::body_limit::refuse_declared_oversize;
use super::error::detail_bodies;
use super::sensitive::mark_secrets;

/// The edge around a router, with its request timeout
/// ([`super::REQUEST_TIMEOUT`] when served).
#[derive(Debug, Clone, Copy)]
pub struct EdgeLayer {
    timeout: Duration,
}

impl EdgeLayer {
    /// Requests running longer than `timeout` are dropped and answered 408.
    pub fn new(timeout: Duration) -> EdgeLayer {
        EdgeLayer { timeout }
    }
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service [`EdgeLayer`] makes: for each request, mark secret headers
/// sensitive; log the start; refuse a declared oversize body, or run the
/// request within the timeout (408 when it runs over, the request
/// dropped); give an error without a body its `{"detail"}`; answer a
/// `HEAD` without a body; log the end.
#[derive(Debug, Clone)]
pub struct Edge<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        mark_secrets(request.headers_mut());
        let log = Some(RequestLog::start(&request));
        let head = request.method() == Method::HEAD;
        let step = match refuse_declared_oversize(&request) {
            Some(refused) => Step::Refused {
                response: Some(refused),
            },
            None => Step::Running {
                inner: tokio::time::timeout(self.timeout, self.inner.call(request)),
            },
        };
        EdgeFuture { step, log, head }
    }
}

pin_project! {
    /// A request passing the edge ([`Edge`]).
    pub struct EdgeFuture<F> {
        #[pin]
        step: Step<F>,
        log: Option<RequestLog>,
        head: bool,
    }
}

pin_project! {
    #[project = StepProj]
    enum Step<F> {
        Refused { response: Option<Response> },
        Running { #[pin] inner: tokio::time::Timeout<F> },
    }
}

impl<F> Future for EdgeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.step.project() {
            StepProj::Refused { response } => response
                .take()
                .expect("an edge future is not polled after it is ready"),
            StepProj::Running { inner } => match ready!(inner.poll(cx)) {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_elapsed) => StatusCode::REQUEST_TIMEOUT.into_response(),
            },
        };
        let mut response = detail_bodies(response);
        if *this.head {
            without_body(&mut response);
        }
        if let Some(log) = this.log.take() {
            log.finish(&response);
        }
        Poll::Ready(Ok(response))
    }
}

/// The answer to a `HEAD`: the headers the `GET` would get, with the
/// length of its body, and no body (HTTP/2 would otherwise send it). The
/// router does this for its own answers; a body the edge adds (a 413, a
/// 408, a `{"detail"}`) comes after the router.
fn without_body(response: &mut Response) {
    if let Some(len) = response.body().size_hint().exact() {
        response
            .headers_mut()
            .entry(header::CONTENT_LENGTH)
            .or_insert_with(|| HeaderValue::from(len));
    }
    *response.body_mut() = Body::empty();
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn call(app: Router, path: &str) -> (StatusCode, serde_json::Value) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    fn app(timeout: Duration) -> Router {
        Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    "late"
                }),
            )
            .layer(EdgeLayer::new(timeout))
    }

    #[tokio::test]
    async fn a_request_over_the_timeout_is_dropped_and_answered_408_with_a_detail() {
        let (status, body) = call(app(Duration::from_millis(50)), "/slow").await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            body["detail"],
            "the request took too long and was cancelled"
        );
    }

    #[tokio::test]
    async fn an_unknown_route_gets_a_detail_body() {
        let (status, body) = call(app(Duration::from_secs(5)), "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["detail"], "no such route");
    }

    #[tokio::test]
    async fn a_head_gets_the_length_of_the_detail_and_no_body() {
        for (path, timeout, status) in [
            ("/nowhere", Duration::from_secs(5), StatusCode::NOT_FOUND),
            (
                "/slow",
                Duration::from_millis(50),
                StatusCode::REQUEST_TIMEOUT,
            ),
        ] {
            let request = Request::head(path).body(Body::empty()).unwrap();
            let response = app(timeout).oneshot(request).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
            let length: usize = response.headers()[header::CONTENT_LENGTH]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(length > 0, "{path}: the detail's length");
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            assert!(body.is_empty(), "{path}: {body:?}");
        }
    }
}
