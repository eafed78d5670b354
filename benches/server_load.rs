//! Load bench of `llmcfg serve`: GET `/llm-config/` across 1,000
//! configured scopes at 64 connections, side by side in the same run with a
//! trivial axum handler returning a fixed JSON body, the two taking turns in
//! `BENCH_ROUNDS` slices (default 5).
//!
//! Each server runs in a child process of this binary (re-executed with a
//! role argument), so its RSS can be read from `/proc` after the run and
//! the load generator's memory is not counted. Run with
//! `cargo bench --bench server_load` (`BENCH_SECS`, default 15 s per server).
//! With `BENCH_PG_URL=postgres://…` (an empty database) it also runs two
//! replicas on that PostgreSQL database, the connections split over both.

#[path = "../tests/support/proc_usage.rs"]
mod proc_usage;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmcfg::crypto::MasterKeyOptions;
use llmcfg::domain::{ApiKey, NewConfig, Role, Scope};
use llmcfg::prober::{ProbeSettings, TargetPolicy};
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceHandle};
use proc_usage::{cpu_ticks, status_kib, ticks_per_sec};

/// Concurrent connections of the load generator.
const CONNECTIONS: usize = 64;
/// Configured scopes the requests rotate over.
const SCOPES: usize = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let role = args.get(1).map(String::as_str).unwrap_or("");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    match role {
        "serve-llmcfg" => runtime.block_on(serve_llmcfg(
            &args[2],
            args.get(3).map(String::as_str),
            args.get(4).map_or("bench", String::as_str),
        )),
        "serve-baseline" => runtime.block_on(serve_baseline()),
        // `cargo bench` passes `--bench`; anything else runs the comparison.
        _ => runtime.block_on(compare()),
    }
}

async fn listener() -> tokio::net::TcpListener {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // The parent reads the address from this first line.
    println!("{}", l.local_addr().unwrap());
    l
}

async fn serve_baseline() {
    let app = axum::Router::new().route(
        "/llm-config/",
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({
                "id": "00000000-0000-0000-0000-000000000000", "provider": "openai",
                "model": "gpt-4o", "api_key_masked": "sk-...abcd", "instance_id": "t",
                "base_url": null, "created_at": "2026-02-27T10:00:00Z",
                "updated_at": "2026-02-27T10:00:00Z"
            }))
        }),
    );
    axum::serve(listener().await, app).await.unwrap();
}

/// One server over `dir`'s SQLite file, or over `store` (a PostgreSQL URL)
/// when given. The replica whose token is `bench` seeds the scopes.
async fn serve_llmcfg(dir: &str, store: Option<&str>, token_name: &str) {
    let dir = std::path::Path::new(dir);
    let (backend, _) = LocalBackend::open(LocalOptions {
        store_path: store.map_or_else(|| dir.join("llmcfg.db"), Into::into),
        master: MasterKeyOptions {
            env_hex: Some(zeroize::Zeroizing::new("22".repeat(32))),
            file: None,
            default_file: dir.join("master.key"),
            keyring_account: None,
        },
        configured_instances: Vec::new(),
        probe: ProbeSettings {
            guard: Some(Arc::new(TargetPolicy::default())),
            ..ProbeSettings::default()
        },
        read_only: false,
        postgres: Default::default(),
        versions: Default::default(),
    })
    .await
    .unwrap();
    let handle = ServiceHandle::spawn(Backend::Local(backend), "bench");
    let token = handle
        .create_token(token_name, Role::Superadmin)
        .await
        .unwrap();
    for i in (0..SCOPES).filter(|_| token_name == "bench") {
        let scope = Scope::from_optional(Some(&format!("tenant-{i:04}"))).unwrap();
        let config = NewConfig::new(
            "openai",
            "gpt-4o",
            ApiKey::new(format!("sk-proj-bench-{i:04}-abcdefghijklmnop")),
        );
        handle.create(&scope, config).await.unwrap();
    }
    let l = listener().await;
    println!("{}", token.secret.as_str());
    llmcfg::server::run(l, handle, std::future::pending())
        .await
        .unwrap();
}

struct Figures {
    requests: u64,
    errors: u64,
    secs: f64,
    p50_us: u64,
    p99_us: u64,
    rss_kib: u64,
    /// Server CPU time (user + system, all replicas) during the measured
    /// load, per request: unlike req/s, it hardly moves with the load other
    /// processes put on the machine.
    cpu_us_per_request: f64,
}

fn spawn(role: &str, extra: &[&str]) -> (Child, Vec<String>, u32) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(role)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = if role == "serve-llmcfg" { 2 } else { 1 };
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut got = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        got.push(line.trim().to_string());
    }
    let pid = child.id();
    (child, got, pid)
}

/// Connection `c` talks to `urls[c % urls.len()]` with the matching token.
async fn load(urls: &[String], tokens: &[Option<String>], span: Duration) -> (u64, u64, Vec<u32>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let deadline = Instant::now() + span;
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let n = c % urls.len();
        let (client, url) = (client.clone(), format!("{}/llm-config/", urls[n]));
        let token = tokens[n].clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::with_capacity(100_000));
            let mut i = c;
            while Instant::now() < deadline {
                let mut rb = client
                    .get(&url)
                    .header("X-Instance-Id", format!("tenant-{:04}", i % SCOPES));
                if let Some(t) = &token {
                    rb = rb.bearer_auth(t);
                }
                let started = Instant::now();
                let fine = match rb.send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if fine {
                    ok += 1;
                } else {
                    errors += 1;
                }
                lat.push(started.elapsed().as_micros() as u32);
                i += CONNECTIONS;
            }
            (ok, errors, lat)
        }));
    }
    let (mut ok, mut errors, mut all) = (0, 0, Vec::new());
    for t in tasks {
        let (o, e, l) = t.await.unwrap();
        ok += o;
        errors += e;
        all.extend(l);
    }
    (ok, errors, all)
}

/// One server under test (one or more replicas) and what its load slices
/// have counted so far.
struct Servers {
    children: Vec<Child>,
    urls: Vec<String>,
    tokens: Vec<Option<String>>,
    pids: Vec<u32>,
    requests: u64,
    errors: u64,
    secs: f64,
    cpu_ticks: u64,
    latencies: Vec<u32>,
}

impl Servers {
    /// Starts one replica per entry of `extras` (in order, so the first can
    /// seed a shared store) and warms up their connections and caches.
    async fn start(role: &str, extras: &[Vec<&str>]) -> Self {
        let mut servers = Servers {
            children: vec![],
            urls: vec![],
            tokens: vec![],
            pids: vec![],
            requests: 0,
            errors: 0,
            secs: 0.0,
            cpu_ticks: 0,
            latencies: vec![],
        };
        for extra in extras {
            let (child, lines, pid) = spawn(role, extra);
            servers.urls.push(format!("http://{}", lines[0]));
            servers.tokens.push(lines.get(1).cloned());
            servers.children.push(child);
            servers.pids.push(pid);
        }
        load(&servers.urls, &servers.tokens, Duration::from_secs(1)).await;
        servers
    }

    /// Loads every replica together for `span` and adds what it counted.
    async fn slice(&mut self, span: Duration) {
        let cpu = |pids: &[u32]| pids.iter().map(|p| cpu_ticks(*p)).sum::<u64>();
        let cpu_before = cpu(&self.pids);
        let started = Instant::now();
        let (requests, errors, lat) = load(&self.urls, &self.tokens, span).await;
        self.secs += started.elapsed().as_secs_f64();
        self.cpu_ticks += cpu(&self.pids) - cpu_before;
        self.requests += requests;
        self.errors += errors;
        self.latencies.extend(lat);
    }

    /// Stops the replicas; the figures of every slice, RSS the largest
    /// replica's at the end.
    fn finish(mut self) -> Figures {
        let rss = self
            .pids
            .iter()
            .map(|p| status_kib(*p, "VmRSS:"))
            .max()
            .unwrap_or(0);
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let lat = &mut self.latencies;
        lat.sort_unstable();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64) * p) as usize)
                .copied()
                .unwrap_or(0) as u64
        };
        Figures {
            requests: self.requests,
            errors: self.errors,
            secs: self.secs,
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            rss_kib: rss,
            cpu_us_per_request: self.cpu_ticks as f64 / ticks_per_sec() * 1e6
                / self.requests.max(1) as f64,
        }
    }
}

fn report(name: &str, f: &Figures) {
    println!(
        "{name:<10} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  errors {:>3}  requests {:>8}  server RSS {:>5.1} MiB  server CPU {:>5.1} µs/req",
        f.requests as f64 / f.secs,
        f.p50_us as f64 / 1000.0,
        f.p99_us as f64 / 1000.0,
        f.errors,
        f.requests,
        f.rss_kib as f64 / 1024.0,
        f.cpu_us_per_request
    );
}

async fn compare() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let secs = env("BENCH_SECS", 15);
    let rounds = env("BENCH_ROUNDS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap().to_string();
    println!(
        "GET /llm-config/ over {SCOPES} scopes, {CONNECTIONS} connections, {secs} s each in {rounds} interleaved slices, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // Both servers stay up and take turns, slice by slice, the one going
    // first alternating: a shared host's load then falls on both alike,
    // where one run each, one after the other, could meet a quiet host for
    // one and a busy one for the other. The idle one spends no CPU.
    let mut baseline = Servers::start("serve-baseline", &[vec![]]).await;
    let mut ours = Servers::start("serve-llmcfg", &[vec![store.as_str()]]).await;
    let span = Duration::from_secs(secs).div_f64(rounds as f64);
    for round in 0..rounds {
        if round % 2 == 0 {
            baseline.slice(span).await;
            ours.slice(span).await;
        } else {
            ours.slice(span).await;
            baseline.slice(span).await;
        }
    }
    let (baseline, ours) = (baseline.finish(), ours.finish());
    report("baseline", &baseline);
    report("llmcfg", &ours);
    println!(
        "llmcfg / baseline: {:.0}% of the req/s; server CPU per request {:.2}x the baseline's",
        100.0 * (ours.requests as f64 / ours.secs) / (baseline.requests as f64 / baseline.secs),
        ours.cpu_us_per_request / baseline.cpu_us_per_request
    );
    if let Ok(url) = std::env::var("BENCH_PG_URL") {
        let replicas = [
            vec![store.as_str(), url.as_str(), "bench"],
            vec![store.as_str(), url.as_str(), "bench-2"],
        ];
        let mut pg = Servers::start("serve-llmcfg", &replicas).await;
        pg.slice(Duration::from_secs(secs)).await;
        report("pg x2", &pg.finish());
    }
}
