//! `llmcfg serve` as a real child process: the CLI's `--remote` round trip,
//! exit 6 on a bad token, `login`, the conformance suite over the built
//! binary, graceful shutdown on SIGTERM with a request in flight, and a
//! server log that never contains an API key.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
mod server_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use llmcfg::remote::{RemoteBackend, RemoteClient};
use llmcfg::service::{Backend, ServiceHandle};
use llmcfg_process::{ServeChild, llmcfg_command};
use server_support::{MASTER_HEX, SECRET_KEY, conformance, wait_until};
use zeroize::Zeroizing;

/// An isolated home: config, data and log directories of its own.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = llmcfg_command(self.dir.path(), MASTER_HEX);
        c.env("LLMCFG_LOG", "llmcfg=debug,info");
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
        let mut c = self.cmd();
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        child.wait_with_output().unwrap()
    }

    fn log_file(&self) -> PathBuf {
        self.dir
            .path()
            .join("state")
            .join("llmcfg")
            .join("llmcfg.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }

    fn token(&self, name: &str, role: &str) -> String {
        let out = self.run(
            &["token", "create", "--name", name, "--role", role],
            None,
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Starts `llmcfg serve --listen 127.0.0.1:0` in this home.
    fn serve(&self) -> ServeChild {
        ServeChild::spawn(self.cmd())
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_no_key(what: &str, text: &str) {
    assert!(!text.contains(SECRET_KEY), "key in {what}: {text}");
    assert!(!text.contains("SUPERSECRETVALUE"), "key in {what}");
}

fn remote_handle(url: &str, token: &str) -> ServiceHandle {
    let client = RemoteClient::new(url, Zeroizing::new(token.to_string())).unwrap();
    ServiceHandle::spawn(Backend::remote(RemoteBackend::new(client, Vec::new())), "t")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_remote_round_trip_and_conformance_over_the_binary() {
    let server_home = Home::new();
    let admin = server_home.token("admin", "superadmin");
    assert!(admin.starts_with("llmcfg_") && admin.len() > 60);
    let viewer = server_home.token("auditor", "viewer");
    let listed = server_home.run(&["token", "list"], None, &[]);
    assert!(text(&listed).contains("admin") && !text(&listed).contains(&admin));
    let mut serve = server_home.serve();
    let url = serve.url.clone();

    // The client side: another home with no store of its own.
    let client = Home::new();
    let with_token = [("LLMCFG_TOKEN", admin.as_str())];
    let remote = |args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]| {
        let mut full = vec!["--remote", url.as_str()];
        full.extend_from_slice(args);
        client.run(&full, stdin, env)
    };

    let out = remote(&["-i", "acme", "get", "--json"], None, &with_token);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "null");

    let create = [
        "-i",
        "acme",
        "create",
        "--provider",
        "anthropic",
        "--model",
        "claude-sonnet-4-5",
        "--api-key-stdin",
    ];
    let out = remote(&create, Some(&format!("{SECRET_KEY}\n")), &with_token);
    assert!(out.status.success(), "{}", text(&out));
    assert_no_key("create output", &text(&out));
    let out = remote(&create, Some(&format!("{SECRET_KEY}\n")), &with_token);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));

    let out = remote(
        &["-i", "acme", "update", "--model", "claude-opus-4-1"],
        None,
        &with_token,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = remote(&["-i", "acme", "get", "--json"], None, &with_token);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["model"], "claude-opus-4-1");
    assert_eq!(view["api_key_masked"], "sk-ant-...WXYZ");
    let out = remote(&["--json", "instances"], None, &with_token);
    assert!(text(&out).contains("acme"), "{}", text(&out));

    let out = remote(&["-i", "acme", "delete", "--yes"], None, &with_token);
    assert!(out.status.success(), "{}", text(&out));
    let out = remote(&["-i", "acme", "delete", "--yes"], None, &with_token);
    assert_eq!(out.status.code(), Some(3));
    let out = remote(&["-i", "", "get"], None, &with_token);
    assert_eq!(out.status.code(), Some(2));

    // Bad, viewer or missing token → exit 6 with a clear message.
    let out = remote(&["get"], None, &[("LLMCFG_TOKEN", "llmcfg_wrong")]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("unauthorized"), "{}", text(&out));
    let out = remote(&["get"], None, &[("LLMCFG_TOKEN", viewer.as_str())]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("superadmin"), "{}", text(&out));
    let out = remote(&["get"], None, &[]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("llmcfg login"), "{}", text(&out));

    // login rejects a bad token, stores a good one (0600 file here), and
    // later commands find it without LLMCFG_TOKEN.
    let out = remote(&["login"], Some("llmcfg_wrong\n"), &[]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let out = remote(&["login"], Some(&format!("{admin}\n")), &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(&admin));
    let out = remote(&["get", "--json"], None, &[]);
    assert!(out.status.success(), "{}", text(&out));

    // Token management is refused in remote mode.
    let out = remote(&["token", "list"], None, &with_token);
    assert_ne!(out.status.code(), Some(0));

    // The conformance suite through the built binary.
    let handle = remote_handle(&url, &admin);
    let transcript = conformance::run(&handle, conformance::Extensions::Offered).await;
    assert!(
        transcript
            .seed
            .iter()
            .any(|l| l.starts_with("create acme again: exists"))
    );

    serve.sigterm();
    assert!(serve.child.wait().unwrap().success());
    let log = server_home.log();
    assert!(log.contains("request"), "empty server log");
    assert_no_key("server log", &log);
    assert!(!log.contains(&admin), "token in the server log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_in_flight_request_finish() {
    let home = Home::new();
    let admin = home.token("admin", "superadmin");
    let mut serve = home.serve();
    let url = serve.url.clone();

    // A POST whose body arrives in two parts, SIGTERM in between.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let request = reqwest::Client::new()
        .post(format!("{url}/llm-config/"))
        .bearer_auth(&admin)
        .header("X-Instance-Id", "inflight")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let response = tokio::spawn(request);
    tx.send(Ok(br#"{"provider": "openai", "model": "gpt-4o", "#.to_vec()))
        .await
        .unwrap();

    let log_has = |needle: &str| {
        let path: &Path = &home.log_file();
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .contains(needle)
    };
    wait_until("the request to start", || log_has("request started")).await;
    serve.sigterm();
    wait_until("the server to see SIGTERM", || log_has("SIGTERM received")).await;

    tx.send(Ok(
        br#""api_key": "sk-proj-inflight-0123456789abcdefgh"}"#.to_vec()
    ))
    .await
    .unwrap();
    drop(tx);
    let response = response.await.unwrap().unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let view: serde_json::Value = response.json().await.unwrap();
    assert_eq!(view["instance_id"], "inflight");
    assert!(serve.child.wait().unwrap().success());
    assert!(log_has("llmcfg server stopped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_within_the_drain_time_despite_a_stalled_client() {
    use tokio::io::AsyncWriteExt;
    let home = Home::new();
    let mut serve = home.serve();
    let url = serve.url.clone();
    let addr = url.trim_start_matches("http://").to_string();
    // A slowloris client: half a request head, then nothing, socket held.
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let log_has = |needle: &str| {
        std::fs::read_to_string(home.log_file())
            .unwrap_or_default()
            .contains(needle)
    };
    wait_until("the server to listen", || {
        log_has("llmcfg server listening")
    })
    .await;
    serve.sigterm();
    // The bound: the 8 s drain time plus generous slack for a loaded CI
    // machine; before the fix the server waited for the client forever.
    let bound = std::time::Instant::now() + std::time::Duration::from_secs(40);
    let status = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < bound,
            "the server outlived its drain time with a stalled client"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(log_has("llmcfg server stopped"));
    drop(stalled);
}
