//! Following a job from the CLI: its progress bar, and Ctrl-c for the
//! commands that run a job (`test --all`, `rotate-key`,
//! `apply`): the signal cancels the job instead of killing the process, so
//! the work under way finishes, nothing new starts and the partial report
//! is printed (exit code 130).

use std::future::Future;
use std::io::IsTerminal;
use std::pin::Pin;

use futures_util::FutureExt;

use crate::service::jobs::{JobEvent, JobTicket, RunningJob};
use crate::service::{ServiceError, ServiceHandle};

/// The process's Ctrl-c, installed before a job starts.
pub struct Interrupt {
    signal: Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>,
    fired: bool,
}

impl Interrupt {
    /// Installs the handler now: the signal's future is polled once, so a
    /// Ctrl-c from here on is caught, even one before the job started.
    pub fn install() -> Interrupt {
        let mut signal: Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> =
            Box::pin(tokio::signal::ctrl_c());
        let fired = signal.as_mut().now_or_never().is_some();
        Interrupt { signal, fired }
    }

    /// Whether Ctrl-c came.
    pub fn fired(&self) -> bool {
        self.fired
    }

    /// Waits for the first Ctrl-c; pends forever once it came.
    async fn wait(&mut self) {
        if self.fired {
            return std::future::pending().await;
        }
        let _ = self.signal.as_mut().await;
        self.fired = true;
    }
}

/// What a follower of a job sees, in order.
pub enum Followed {
    /// The job's next event.
    Event(JobEvent),
    /// Ctrl-c came: the job is cancelled and finishing what is under way.
    Cancelling,
}

/// Follows `job` to its end, showing each event through `show`, and
/// cancels it at the first Ctrl-c; answers the job's own outcome.
pub async fn follow<T, E: From<ServiceError>>(
    handle: &ServiceHandle,
    mut job: RunningJob<T, E>,
    interrupt: &mut Interrupt,
    show: impl FnMut(Followed),
) -> Result<T, E> {
    follow_events(handle, &mut job.ticket, interrupt, show).await;
    job.outcome().await
}

/// Follows a job's events to the last, showing each through `show`, and
/// cancels the job at the first Ctrl-c.
pub async fn follow_events(
    handle: &ServiceHandle,
    ticket: &mut JobTicket,
    interrupt: &mut Interrupt,
    mut show: impl FnMut(Followed),
) {
    if interrupt.fired() {
        handle.cancel_job(ticket.id);
        show(Followed::Cancelling);
    }
    loop {
        tokio::select! {
            event = ticket.events.recv() => match event {
                Some(event) => show(Followed::Event(event)),
                None => break,
            },
            () = interrupt.wait() => {
                handle.cancel_job(ticket.id);
                show(Followed::Cancelling);
            }
        }
    }
}

/// A job's progress bar on stderr: drawn only on a terminal and without
/// `--json`, so piped or machine output stays clean.
pub fn job_bar(json: bool, template: &str) -> indicatif::ProgressBar {
    let bar = if !json && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        // Redrawn while nothing finishes too, so a rate-limit wait and the
        // elapsed time stay current.
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Moves `bar` along with the job; `under_way` names the work a cancel
/// waits for ("the tests").
pub fn show_on_bar(bar: &indicatif::ProgressBar, followed: &Followed, under_way: &str) {
    match followed {
        Followed::Cancelling => {
            bar.set_message(format!(" · cancelling: waiting for {under_way} under way"))
        }
        Followed::Event(JobEvent::Started { total }) => bar.set_length(*total as u64),
        Followed::Event(JobEvent::Row(_)) => {
            // A row ends a rate-limit wait; a cancel's note stays.
            if !bar.message().contains("cancelling") {
                bar.set_message("");
            }
            bar.inc(1);
        }
        Followed::Event(JobEvent::Waiting { wait }) => bar.set_message(format!(
            " · the server's rate limit: waiting {:.0} s",
            wait.as_secs_f64().ceil()
        )),
        Followed::Event(JobEvent::Ended(_)) => {}
    }
}
