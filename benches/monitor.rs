//! Load bench of the monitor, in one run: `llmcfg serve` with
//! `[monitor] enabled = true` over N scopes against a fake provider (a
//! child process) that answers each models call after 50 ms.
//!
//! It reports: the monitor's lag (all N scopes tested within the round, and
//! the largest start lag the `/metrics` gauge showed), serve's CPU while
//! only the monitor runs against the CPU the same tests' HTTP requests cost
//! a bare reqwest client (the difference is the monitor's own work), GET
//! `/llm-config/` throughput with the monitor running against the same
//! server without it, and the history's bytes per result and scope-day.
//!
//! Defaults are the rate scaled in time: `BENCH_SCOPES=20000` over
//! `BENCH_INTERVAL=60` seconds is the 333 tests/s of 100,000 scopes every
//! 5 minutes. `BENCH_SCOPES=100000 BENCH_INTERVAL=300` runs the full size.
//! Run with `cargo bench --bench monitor`.

#[path = "../tests/support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "../tests/support/local_service.rs"]
mod local_service;
#[path = "../tests/support/proc_usage.rs"]
mod proc_usage;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use llmcfg::crypto::MasterKey;
use llmcfg::domain::{ApiKey, ConfigFields, InstanceId, Scope};
use llmcfg::store::ConfigRow;
use llmcfg_process::{ServeChild, llmcfg_command};
use proc_usage::{cpu_ticks, process_cpu, ticks_per_sec};

const MASTER: &str = "2222222222222222222222222222222222222222222222222222222222222222";
const KEY: &str = "sk-proj-monitor-bench-0123456789abcdefghijk";
const METRICS_TOKEN: &str = "bench-metrics-token-0123";
/// The fake provider's answer time.
const PROVIDER_DELAY: Duration = Duration::from_millis(50);
/// GET load connections and duration.
const GET_CONNECTIONS: usize = 16;
const GET_SECS: u64 = 10;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    match args.get(1).map(String::as_str) {
        Some("fake") => rt.block_on(fake()),
        _ => rt.block_on(run()),
    }
}

/// The fake provider: OpenAI's get-model endpoint, Bearer checked, 50 ms.
async fn fake() {
    use axum::extract::Path;
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/v1/models/{id}",
        axum::routing::get(|Path(id): Path<String>, h: HeaderMap| async move {
            tokio::time::sleep(PROVIDER_DELAY).await;
            let ok = h
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == format!("Bearer {KEY}"));
            if !ok {
                return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": {"message": "bad key", "type": "invalid_request_error", "code": "invalid_api_key"}})));
            }
            (
                StatusCode::OK,
                axum::Json(serde_json::json!({"id": id, "object": "model", "created": 0, "owned_by": "bench"})),
            )
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", l.local_addr().unwrap());
    axum::serve(l, app).await.unwrap();
}

fn llmcfg(dir: &std::path::Path) -> Command {
    let mut c = llmcfg_command(dir, MASTER);
    c.env("LLMCFG_LOG", "warn");
    c
}

/// N configs sealed under the bench key, in one transaction.
async fn seed(dir: &std::path::Path, n: usize) {
    let store = dir.join("data/llmcfg/llmcfg.db");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    // Opening the store once creates its schema; the rows go in below.
    drop(local_service::open_sqlite(&store, MASTER).await);
    let master = MasterKey::from_hex(MASTER, "bench").unwrap();
    let mut conn = rusqlite::Connection::open(&store).unwrap();
    let tx = conn.transaction().unwrap();
    // The fingerprint is only shown; the bench's store never checks it.
    let fingerprints = llmcfg::crypto::Fingerprinter::generate();
    for i in 0..n {
        let scope = Scope::Instance(InstanceId::parse(&format!("tenant-{i:06}")).unwrap());
        let row = ConfigRow::seal_new(
            &scope,
            ConfigFields {
                base_url: Some(BASE.get().unwrap().clone()),
                ..ConfigFields::new("openai", "gpt-4o")
            },
            &ApiKey::new(KEY),
            &master,
            &fingerprints,
        );
        tx.execute(
            "INSERT INTO configs (id, scope, provider, model, base_url, sealed_key, api_key_masked, \
             key_fingerprint, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
             '2026-02-27T10:00:00Z', '2026-02-27T10:00:00Z')",
            rusqlite::params![
                row.id.to_string(),
                scope.key(),
                row.fields.provider,
                row.fields.model,
                row.fields.base_url,
                row.sealed_key().as_bytes(),
                row.api_key_masked,
                row.key_fingerprint,
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn start_serve(dir: &std::path::Path) -> ServeChild {
    ServeChild::spawn(llmcfg(dir))
}

/// Stops `serve` the graceful way, so its last writes reach the file.
fn stop(mut serve: ServeChild) {
    serve.sigterm();
    let _ = serve.child.wait();
}

/// GET /llm-config/ requests per second over `secs` with a rotating scope.
async fn get_load(url: &str, token: &str, n: usize, secs: u64) -> f64 {
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..GET_CONNECTIONS {
        let (client, done, url, token) = (
            client.clone(),
            done.clone(),
            url.to_string(),
            token.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while Instant::now() < until {
                let r = client
                    .get(format!("{url}/llm-config/"))
                    .bearer_auth(&token)
                    .header("X-Instance-Id", format!("tenant-{:06}", i % n))
                    .send()
                    .await;
                if r.is_ok_and(|r| r.status() == 200) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                i += GET_CONNECTIONS;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / secs as f64
}

/// A value from the metrics text (the bench reads its own numbers; the
/// tests use a real parser).
fn metric(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn metrics(url: &str) -> String {
    reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// CPU seconds per second the bare HTTP work of `rate` tests/s costs a
/// reqwest client (the monitor's probes use reqwest too).
async fn http_only(rate: f64, secs: u64) -> f64 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = BASE.get().unwrap().clone();
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let n = (rate * secs as f64) as u64;
    let gap = Duration::from_secs_f64(1.0 / rate);
    let cpu0 = process_cpu();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..n {
        tokio::time::sleep_until((t0 + gap * i as u32).into()).await;
        let permit = sem.clone().acquire_owned().await.unwrap();
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let r = client
                .get(format!("{base}/v1/models/gpt-4o"))
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap();
            let _ = r.bytes().await;
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (process_cpu() - cpu0) / t0.elapsed().as_secs_f64()
}

async fn run() {
    let n = env_num("BENCH_SCOPES", 20_000) as usize;
    let interval = env_num("BENCH_INTERVAL", 60);
    let rate = n as f64 / interval as f64;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut fake_child = Command::new(std::env::current_exe().unwrap())
        .arg("fake")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(fake_child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    BASE.set(format!("http://{}", line.trim())).unwrap();
    println!(
        "monitor bench: {n} scopes, interval {interval} s ({rate:.0} tests/s), provider {} ms, {} cores",
        PROVIDER_DELAY.as_millis(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let seeded = Instant::now();
    seed(d, n).await;
    println!("seeded in {:.1} s", seeded.elapsed().as_secs_f64());
    let token = {
        let out = llmcfg(d)
            .args(["token", "create", "--name", "bench"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    std::fs::create_dir_all(d.join("config/llmcfg")).unwrap();
    let write_config = |enabled: bool| {
        std::fs::write(
            d.join("config/llmcfg/config.toml"),
            format!(
                "[server]\nallowed_targets = [\"127.0.0.1\"]\n\n[monitor]\nenabled = {enabled}\n\
                 interval_secs = {interval}\nconcurrency = 64\nrate_per_minute = 10000000\n\
                 metrics_token = \"{METRICS_TOKEN}\"\n"
            ),
        )
        .unwrap();
    };
    let db = d.join("data/llmcfg/llmcfg.db");

    // 1. GET throughput without the monitor.
    write_config(false);
    let serve = start_serve(d);
    let url = serve.url.clone();
    let _ = get_load(&url, &token, n, 2).await;
    let base_rps = get_load(&url, &token, n, GET_SECS).await;
    stop(serve);
    let size_before = std::fs::metadata(&db).unwrap().len();

    // 2. The monitor's round, started at a round boundary.
    write_config(true);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let to_boundary = interval * 1000 - now_ms % (interval * 1000);
    tokio::time::sleep(Duration::from_millis(to_boundary + 200)).await;
    let round_start = Instant::now();
    let serve = start_serve(d);
    let url = serve.url.clone();
    let pid = serve.child.id();
    let mut max_lag = 0.0f64;
    // Monitor only: serve's CPU over a window with no GET load.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (t1, c1) = (Instant::now(), cpu_ticks(pid));
    let window = (interval / 3).clamp(5, 60);
    for _ in 0..window {
        tokio::time::sleep(Duration::from_secs(1)).await;
        max_lag = max_lag.max(metric(&metrics(&url).await, "llmcfg_monitor_lag_seconds"));
    }
    let monitor_cpu = (cpu_ticks(pid) - c1) as f64 / ticks_per_sec() / t1.elapsed().as_secs_f64();
    // GET load while the monitor runs.
    let mon_rps = get_load(&url, &token, n, GET_SECS).await;
    // Until every scope has a result.
    let done_at = loop {
        let text = metrics(&url).await;
        max_lag = max_lag.max(metric(&text, "llmcfg_monitor_lag_seconds"));
        if metric(&text, "llmcfg_monitor_tests_total") >= n as f64 {
            break round_start.elapsed();
        }
        assert!(
            round_start.elapsed() < Duration::from_secs(interval * 3),
            "the monitor fell behind by more than two intervals"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    stop(serve);
    let size_after = std::fs::metadata(&db).unwrap().len();

    // 3. The same tests' HTTP work alone.
    let http_cpu = http_only(rate, window).await;
    let _ = fake_child.kill();
    let _ = fake_child.wait();

    let per_result = (size_after.saturating_sub(size_before)) as f64 / n as f64;
    println!(
        "round: all {n} scopes tested {:.1} s after the round began (interval {interval} s); \
         largest start lag seen {max_lag:.2} s",
        done_at.as_secs_f64()
    );
    println!(
        "CPU: serve with the monitor {:.1}% of a core; the bare HTTP work {:.1}%; the monitor's own {:.1}%",
        monitor_cpu * 100.0,
        http_cpu * 100.0,
        (monitor_cpu - http_cpu) * 100.0
    );
    println!(
        "GET /llm-config/: {base_rps:.0} req/s without the monitor, {mon_rps:.0} req/s with it ({:+.1}%)",
        (mon_rps / base_rps - 1.0) * 100.0
    );
    println!(
        "history: {per_result:.0} bytes per scope for the first result (state row included); \
         at 5-min intervals at most {:.0} KiB per scope-day",
        per_result * 288.0 / 1024.0
    );
}
