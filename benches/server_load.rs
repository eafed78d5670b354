//! Load bench of `llmcfg serve`: GET `/llm-config/` across 1,000
//! configured scopes at 64 connections, side by side in the same run with a
//! trivial axum handler returning a fixed JSON body.
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
async fn load(urls: &[String], tokens: &[Option<String>], secs: u64) -> (u64, u64, Vec<u32>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
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

async fn measure(role: &str, extra: &[&str], secs: u64) -> Figures {
    measure_replicas(role, &[extra.to_vec()], secs).await
}

/// Starts one server per entry of `extras` (in order, so the first can seed
/// a shared store) and loads them together; RSS is the largest replica's.
async fn measure_replicas(role: &str, extras: &[Vec<&str>], secs: u64) -> Figures {
    let (mut children, mut urls, mut tokens, mut pids) = (vec![], vec![], vec![], vec![]);
    for extra in extras {
        let (child, lines, pid) = spawn(role, extra);
        urls.push(format!("http://{}", lines[0]));
        tokens.push(lines.get(1).cloned());
        children.push(child);
        pids.push(pid);
    }
    // Warm up connections and caches.
    load(&urls, &tokens, 1).await;
    let cpu_before: u64 = pids.iter().map(|p| cpu_ticks(*p)).sum();
    let started = Instant::now();
    let (requests, errors, mut lat) = load(&urls, &tokens, secs).await;
    let secs = started.elapsed().as_secs_f64();
    let cpu_after: u64 = pids.iter().map(|p| cpu_ticks(*p)).sum();
    let cpu_us_per_request =
        (cpu_after - cpu_before) as f64 / ticks_per_sec() * 1e6 / requests.max(1) as f64;
    let rss = pids
        .iter()
        .map(|p| status_kib(*p, "VmRSS:"))
        .max()
        .unwrap_or(0);
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64) * p) as usize)
            .copied()
            .unwrap_or(0) as u64
    };
    Figures {
        requests,
        errors,
        secs,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        rss_kib: rss,
        cpu_us_per_request,
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
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap().to_string();
    println!(
        "GET /llm-config/ over {SCOPES} scopes, {CONNECTIONS} connections, {secs} s each, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let baseline = measure("serve-baseline", &[], secs).await;
    report("baseline", &baseline);
    let ours = measure("serve-llmcfg", &[&store], secs).await;
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
        let pg = measure_replicas("serve-llmcfg", &replicas, secs).await;
        report("pg x2", &pg);
    }
}
