//! net-ping: the binary protocol's network path alone, on tokio (epoll) or tokio-uring
//! (io_uring), to decide whether io_uring pays for the server's sockets. It serves the
//! handshake and Ping frames (the same framing code as the server) and nothing else; drive it
//! with `tessera-load --protocol binary --op ping --binary ADDR`.
//!
//! ```text
//! net-ping --runtime tokio --threads 1 --addr 127.0.0.1:8200
//! net-ping --runtime uring --addr 127.0.0.1:8200        # needs --features uring-net
//! ```

use bytes::BytesMut;
use clap::Parser;
use tessera_server::binary::frame::{self, FRAME_LEN_MAX, HELLO_LEN, STATUS_OK};

#[derive(Parser, Debug)]
#[command(about = "Ping-only binary-protocol server on tokio or tokio-uring")]
struct Args {
    /// `tokio` or `uring`.
    #[arg(long, default_value = "tokio")]
    runtime: String,
    /// tokio worker threads (tokio-uring runs on one thread).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Listening address.
    #[arg(long, default_value = "127.0.0.1:8200")]
    addr: std::net::SocketAddr,
}

/// Answers every whole Ping frame in `buf` into `out`; false when the stream is not framed.
fn answer_pings(buf: &mut BytesMut, out: &mut Vec<u8>) -> bool {
    loop {
        match frame::next_request(buf, FRAME_LEN_MAX) {
            Ok(Some(request)) => {
                let start = frame::start_response(out, request.id, STATUS_OK);
                frame::finish_response(out, start);
            }
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

fn welcome_for(hello: &[u8; HELLO_LEN]) -> Option<[u8; frame::WELCOME_LEN]> {
    match frame::negotiate(hello) {
        Ok(Some(v)) => Some(frame::welcome(v)),
        _ => None,
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    println!("net-ping: {} runtime on {}", args.runtime, args.addr);
    match args.runtime.as_str() {
        "tokio" => tokio_server(&args),
        "uring" => uring_server(&args),
        other => anyhow::bail!("--runtime must be tokio or uring, not {other}"),
    }
}

fn tokio_server(args: &Args) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let mut hello = [0u8; HELLO_LEN];
                if stream.read_exact(&mut hello).await.is_err() {
                    return;
                }
                let Some(welcome) = welcome_for(&hello) else {
                    return;
                };
                if stream.write_all(&welcome).await.is_err() {
                    return;
                }
                let mut buf = BytesMut::with_capacity(64 * 1024);
                let mut out = Vec::with_capacity(64 * 1024);
                loop {
                    match stream.read_buf(&mut buf).await {
                        Ok(n) if n > 0 => {}
                        _ => return,
                    }
                    let framed = answer_pings(&mut buf, &mut out);
                    if stream.write_all(&out).await.is_err() || !framed {
                        return;
                    }
                    out.clear();
                }
            });
        }
    })
}

#[cfg(feature = "uring-net")]
fn uring_server(args: &Args) -> anyhow::Result<()> {
    let addr = args.addr;
    tokio_uring::start(async move {
        let listener = tokio_uring::net::TcpListener::bind(addr)?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio_uring::spawn(async move {
                let (read, hello) = stream.read(vec![0u8; HELLO_LEN]).await;
                let hello: [u8; HELLO_LEN] = match (read, hello.try_into()) {
                    (Ok(HELLO_LEN), Ok(h)) => h,
                    _ => return,
                };
                let Some(welcome) = welcome_for(&hello) else {
                    return;
                };
                if stream.write_all(welcome.to_vec()).await.0.is_err() {
                    return;
                }
                let mut buf = BytesMut::with_capacity(64 * 1024);
                let mut chunk = vec![0u8; 64 * 1024];
                let mut out = Vec::with_capacity(64 * 1024);
                loop {
                    let (read, c) = stream.read(chunk).await;
                    chunk = c;
                    match read {
                        Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                    let framed = answer_pings(&mut buf, &mut out);
                    let (written, o) = stream.write_all(out).await;
                    out = o;
                    if written.is_err() || !framed {
                        return;
                    }
                    out.clear();
                }
            });
        }
    })
}

#[cfg(not(feature = "uring-net"))]
fn uring_server(_: &Args) -> anyhow::Result<()> {
    anyhow::bail!("built without io_uring: cargo build -p tessera-bench --features uring-net")
}
