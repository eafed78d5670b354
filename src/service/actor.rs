//! The service actor: a task that owns the backend and answers requests one
//! by one. It stops when every handle has been dropped (the mailbox closes).

use tokio::sync::mpsc;

use super::Backend;
use super::message::Request;

/// The task that owns the backend.
pub struct ServiceActor {
    backend: Backend,
    rx: mpsc::Receiver<Request>,
}

impl ServiceActor {
    /// An actor for `backend` reading from `rx`.
    pub fn new(backend: Backend, rx: mpsc::Receiver<Request>) -> ServiceActor {
        ServiceActor { backend, rx }
    }

    /// Runs until the last handle is dropped.
    pub async fn run(mut self) {
        while let Some(request) = self.rx.recv().await {
            self.backend.handle(request).await;
        }
        tracing::debug!("service actor stopped: every handle was dropped");
    }
}
