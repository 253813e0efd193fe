//! The server side of a binary-protocol connection.
//!
//! After the handshake, one task per connection reads and writes. It cuts request frames off
//! the socket; GetItem and Ping run right there, everything else (writes wait for an fsync,
//! scans can be long) goes to the blocking pool, where it is decoded, run and encoded. All
//! answers ready at a time leave in one write, so a pipelined burst costs a few syscalls
//! instead of one per response. Responses leave in completion order, matched to requests by
//! id. At most [`IN_FLIGHT_MAX`] requests per connection run on the pool at once; past that
//! the task stops reading, which pushes back on the client through TCP.

use super::codec::{ErrorBody, Wire};
use super::frame::{self, Layer, FRAME_LEN_MAX, HELLO_LEN, STATUS_ERROR, STATUS_OK};
use crate::service;
use crate::state::ServerState;
use crate::wire::WireError;
use bytes::BytesMut;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_engine::api::ApiError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

/// Requests one connection may have running at once.
pub const IN_FLIGHT_MAX: usize = 4096;
/// How long a new connection may take to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the client closes it, it breaks the framing, or `stop` turns
/// true (then requests already read are finished and answered before the socket closes).
pub async fn serve_connection(
    mut stream: TcpStream,
    state: Arc<ServerState>,
    mut stop: watch::Receiver<bool>,
) {
    let mut hello = [0u8; HELLO_LEN];
    match tokio::time::timeout(HELLO_TIMEOUT, stream.read_exact(&mut hello)).await {
        Ok(Ok(_)) => {}
        _ => return,
    }
    let version = match frame::negotiate(&hello) {
        Ok(v) => v,
        Err(frame::NotHello) => {
            log::debug!("binary connection without a hello; closing");
            return;
        }
    };
    if stream
        .write_all(&frame::welcome(version.unwrap_or(0)))
        .await
        .is_err()
        || version.is_none()
    {
        return;
    }
    let (mut reader, mut writer) = stream.into_split();
    // Answers from the blocking pool come back here; this task does all reading and writing.
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut in_flight = 0usize;
    let mut reading = true;
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut out = Vec::with_capacity(64 * 1024);
    loop {
        while reading && in_flight < IN_FLIGHT_MAX {
            match frame::next_request(&mut buf, FRAME_LEN_MAX) {
                Ok(Some(request)) if runs_inline(request.opcode) => {
                    answer(&state, request, &mut out);
                }
                Ok(Some(request)) => {
                    in_flight += 1;
                    let state = Arc::clone(&state);
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let id = request.id;
                        let run = std::panic::AssertUnwindSafe(|| {
                            let mut response = Vec::with_capacity(256);
                            answer(&state, request, &mut response);
                            response
                        });
                        // Every request sent here must send an answer back, or the
                        // connection would wait for it forever.
                        let response = std::panic::catch_unwind(run).unwrap_or_else(|_| {
                            log::error!("request {id} panicked in the engine");
                            let mut out = Vec::new();
                            let start = frame::start_response(&mut out, id, STATUS_ERROR);
                            ErrorBody::from_api(&ApiError::Internal(tessera_engine::Error::Closed))
                                .put(&mut out);
                            frame::finish_response(&mut out, start);
                            out
                        });
                        let _ = tx.send(response);
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    // The stream cannot be framed any further: answer, then close.
                    let body = ErrorBody {
                        error_type: "SerializationException".to_owned(),
                        message: e.message,
                        ..Default::default()
                    };
                    let start = frame::start_response(&mut out, e.id, STATUS_ERROR);
                    body.put(&mut out);
                    frame::finish_response(&mut out, start);
                    reading = false;
                }
            }
        }
        while let Ok(done) = rx.try_recv() {
            in_flight -= 1;
            out.extend_from_slice(&done);
        }
        if !out.is_empty() {
            // Everything answered so far leaves in one write.
            if writer.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
            continue;
        }
        if !reading && in_flight == 0 {
            break;
        }
        tokio::select! {
            read = reader.read_buf(&mut buf), if reading && in_flight < IN_FLIGHT_MAX => {
                if !matches!(read, Ok(n) if n > 0) {
                    reading = false;
                }
            }
            Some(done) = rx.recv(), if in_flight > 0 => {
                in_flight -= 1;
                out.extend_from_slice(&done);
            }
            _ = stop.wait_for(|s| *s), if reading => reading = false,
            else => break,
        }
    }
    let _ = writer.shutdown().await;
}

/// Whether an operation runs on the connection's task rather than the blocking pool: Ping,
/// and the operations [`service::runs_inline`] names (decided by opcode, before decoding).
fn runs_inline(opcode: u8) -> bool {
    opcode == super::OPCODE_PING
        || opcode == <tessera_engine::api::GetItemInput as super::Operation>::OPCODE
}

/// Runs one request on the calling thread and appends its response frame to `out`.
fn answer(state: &ServerState, request: frame::RequestFrame, out: &mut Vec<u8>) {
    let started = Instant::now();
    let start = frame::start_response(out, request.id, STATUS_OK);
    let result = run(state, &request, out);
    if let Err(body) = &result {
        out.truncate(start);
        frame::start_response(out, request.id, STATUS_ERROR);
        body.put(out);
    }
    frame::finish_response(out, start);
    let name = super::operation_name(request.opcode).unwrap_or("Unknown");
    state
        .metrics
        .record(name, started.elapsed(), result.is_err());
}

/// Decodes and runs `request`, appending the output's encoding to `out`.
fn run(
    state: &ServerState,
    request: &frame::RequestFrame,
    out: &mut Vec<u8>,
) -> Result<(), ErrorBody> {
    let layer = Layer::from_code(request.layer).ok_or_else(|| ErrorBody {
        error_type: "ValidationException".to_owned(),
        message: format!(
            "Unknown layer {}: 0 is the cache, 1 the engine",
            request.layer
        ),
        ..Default::default()
    })?;
    if request.opcode == super::OPCODE_PING {
        return if request.payload.is_empty() {
            Ok(())
        } else {
            Err(ErrorBody::from_wire(&WireError::Serialization(Some(
                "Ping takes an empty payload".to_owned(),
            ))))
        };
    }
    let decoded = super::decode_request(request.opcode, &request.payload).map_err(|e| {
        let mut body = ErrorBody::from_wire(&e);
        if e == WireError::UnknownOperation {
            body.message = format!("Unknown opcode {}", request.opcode);
        }
        body
    })?;
    match service::call(&*state.layer(layer == Layer::Cache), decoded) {
        Ok(response) => {
            super::encode_response(&response, out);
            Ok(())
        }
        Err(e) => {
            if matches!(e, tessera_engine::api::ApiError::Internal(_)) {
                log::error!(
                    "{}: {e}",
                    super::operation_name(request.opcode).unwrap_or("Unknown")
                );
            }
            Err(ErrorBody::from_api(&e))
        }
    }
}
