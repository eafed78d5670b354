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

use axum::extract::Request;
use axum::http::StatusCode;
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
/// dropped); give an error without a body its `{"detail"}`; log the end.
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
        let step = match refuse_declared_oversize(&request) {
            Some(refused) => Step::Refused {
                response: Some(refused),
            },
            None => Step::Running {
                inner: tokio::time::timeout(self.timeout, self.inner.call(request)),
            },
        };
        EdgeFuture { step, log }
    }
}

pin_project! {
    /// A request passing the edge ([`Edge`]).
    pub struct EdgeFuture<F> {
        #[pin]
        step: Step<F>,
        log: Option<RequestLog>,
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
        let response = detail_bodies(response);
        if let Some(log) = this.log.take() {
            log.finish(&response);
        }
        Poll::Ready(Ok(response))
    }
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
}
