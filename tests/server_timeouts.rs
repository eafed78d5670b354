//! Connection timeouts of the server, in process on
//! 127.0.0.1:0 with short timeouts: a client that sends half a request head
//! is cut off after the header-read timeout, an idle keep-alive connection
//! is closed after the same time, and shutdown returns within the drain
//! time while such clients hold their sockets. A socket that sends nothing,
//! or only the start of the HTTP/2 preface, is closed after the same
//! timeout (the automatic HTTP/1-or-2 builder started no timer
//! before the first 24 bytes).

mod server_support;

use std::time::Duration;

use llmcfg::server::ServeOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const SHORT: ServeOptions = ServeOptions {
    header_read_timeout: Duration::from_millis(300),
    drain_timeout: Duration::from_millis(300),
    max_connections: 64,
};

/// Generous: the assertions are "it ends", not "it is fast".
const PATIENCE: Duration = Duration::from_secs(20);

struct Running {
    addr: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start(opts: ServeOptions) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let handle = server_support::local_handle(dir.path(), None).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(llmcfg::server::run_with(
        listener,
        handle,
        async move {
            let _ = stopped.await;
        },
        opts,
    ));
    Running {
        addr,
        stop,
        task,
        _dir: dir,
    }
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    tokio::time::timeout(PATIENCE, s.read_to_end(&mut all))
        .await
        .expect("the server kept the connection open")
        .ok();
    all
}

#[tokio::test]
async fn a_partial_request_head_is_cut_off() {
    let server = start(SHORT).await;
    let mut s = TcpStream::connect(&server.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    read_to_close(&mut s).await;
}

#[tokio::test]
async fn a_socket_that_sends_nothing_is_closed() {
    let server = start(SHORT).await;
    let mut s = TcpStream::connect(&server.addr).await.unwrap();
    assert!(read_to_close(&mut s).await.is_empty());
}

#[tokio::test]
async fn a_socket_that_sends_only_the_start_of_the_http2_preface_is_closed() {
    let server = start(SHORT).await;
    let mut s = TcpStream::connect(&server.addr).await.unwrap();
    s.write_all(b"PRI * HTTP/2").await.unwrap();
    read_to_close(&mut s).await;
}

#[tokio::test]
async fn an_http2_connection_with_no_request_is_closed() {
    let server = start(SHORT).await;
    let mut s = TcpStream::connect(&server.addr).await.unwrap();
    // The whole preface and an empty SETTINGS frame: a valid HTTP/2 client
    // that then asks for nothing.
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    read_to_close(&mut s).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = start(SHORT).await;
    let mut s = TcpStream::connect(&server.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = String::from_utf8(read_to_close(&mut s).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_is_bounded_by_the_drain_time_whatever_clients_do() {
    let server = start(SHORT).await;
    // One stalled head, one idle connection, one half-sent body.
    let mut stalled = TcpStream::connect(&server.addr).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let _idle = TcpStream::connect(&server.addr).await.unwrap();
    let mut body = TcpStream::connect(&server.addr).await.unwrap();
    body.write_all(
        b"POST /llm-config/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.stop.send(()).unwrap();
    tokio::time::timeout(PATIENCE, server.task)
        .await
        .expect("shutdown waited for the clients")
        .unwrap()
        .unwrap();
}
