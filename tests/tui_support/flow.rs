//! The in-process harness of the TUI flow tests (`tests/tui_flows.rs`):
//! the real app loop (`run_loop`) on a `TestBackend` over a temp store,
//! fed scripted keys (each after a frame, as a user would see it), with every wait on the app's observed state (a
//! generous deadline, never a fixed sleep).

use std::io;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::StreamExt;
use llmcfg::cli::{GlobalArgs, open_service};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::service::ServiceHandle;
use llmcfg::tui::{Observation, TuiError, build_app, run_loop};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

const DEADLINE: Duration = Duration::from_secs(20);

type Keys = mpsc::UnboundedReceiver<io::Result<Event>>;

/// The app loop running on its own task, its key input and its observed frames.
pub struct Harness {
    pub keys: mpsc::UnboundedSender<io::Result<Event>>,
    pub obs: watch::Receiver<Observation>,
    pub task: JoinHandle<Result<(), TuiError>>,
    pub handle: ServiceHandle,
    _dir: tempfile::TempDir,
}

pub fn global(dir: &std::path::Path, read_only: bool) -> GlobalArgs {
    let key_file = dir.join("master.hex");
    if !key_file.exists() {
        std::fs::write(&key_file, "11".repeat(32)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(
            dir.join("config.toml"),
            "[[instances]]\nid = \"acme-prod\"\nname = \"ACME\"\n\n[[instances]]\nid = \"globex\"\n",
        )
        .unwrap();
    }
    GlobalArgs {
        instance: None,
        json: false,
        store: Some(dir.join("llmcfg.db")),
        config: Some(dir.join("config.toml")),
        master_key_file: Some(key_file),
        remote: None,
        read_only,
        no_color: true,
    }
}

/// Seeds a config through the service before the UI starts.
pub async fn seed(dir: &std::path::Path, scope: &Scope, key: &str, base_url: &str) {
    let (handle, _, _) = open_service(&global(dir, false)).await.unwrap();
    let config = NewConfig::new("openai", "gpt-4o", ApiKey::new(key)).with_base_url(base_url);
    handle.create(scope, config).await.unwrap();
}

impl Harness {
    pub async fn start_in(dir: tempfile::TempDir, read_only: bool) -> Harness {
        let g = global(dir.path(), read_only);
        let (handle, settings, paths) = open_service(&g).await.unwrap();
        let mut app = build_app(handle.clone(), &settings, &paths, &g);
        let (keys, rx) = mpsc::unbounded_channel();
        let (obs_tx, obs) = watch::channel(Observation::default());
        // Like a user, the script sees a frame before its next key: the app
        // drops keys read before the view they would act on was drawn.
        let input = futures_util::stream::unfold(
            (rx, obs.clone(), 0),
            |(mut rx, mut frames, seen): (Keys, watch::Receiver<Observation>, usize)| async move {
                let event = rx.recv().await?;
                let drawn = frames.wait_for(|o| o.frames > seen).await.ok()?.frames;
                Some((event, (rx, frames, drawn)))
            },
        )
        .boxed();
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            run_loop(&mut terminal, &mut app, input, Some(&obs_tx)).await
        });
        let mut h = Harness {
            keys,
            obs,
            task,
            handle,
            _dir: dir,
        };
        h.wait("the list", |o| {
            o.text.contains("control plane") && o.text.contains("globex")
        })
        .await;
        h
    }

    pub async fn start() -> Harness {
        Harness::start_in(tempfile::tempdir().unwrap(), false).await
    }

    pub fn send(&self, code: KeyCode, mods: KeyModifiers) {
        self.keys
            .send(Ok(Event::Key(KeyEvent::new(code, mods))))
            .unwrap();
    }

    pub fn key(&self, code: KeyCode) {
        self.send(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.send(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn type_str(&self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Waits until `pred` holds for a drawn frame.
    pub async fn wait(&mut self, what: &str, pred: impl Fn(&Observation) -> bool) -> Observation {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            {
                let o = self.obs.borrow_and_update();
                if pred(&o) {
                    return o.clone();
                }
            }
            if tokio::time::timeout_at(deadline, self.obs.changed())
                .await
                .is_err()
            {
                panic!(
                    "timed out waiting for {what}; screen:\n{}",
                    self.obs.borrow().text
                );
            }
        }
    }

    pub async fn quit(mut self) {
        self.key(KeyCode::Char('q'));
        let task = &mut self.task;
        tokio::time::timeout(DEADLINE, task)
            .await
            .expect("app quits")
            .unwrap()
            .unwrap();
    }
}

pub fn instance(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}
