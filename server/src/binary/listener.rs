//! The server side of a binary-protocol connection.
//!
//! After the handshake, a reader loop cuts request frames off the socket and hands each to
//! the blocking pool, where it is decoded, run and encoded; finished response frames go to a
//! writer task that sends whatever has queued up in one write, so a pipelined burst costs a
//! few syscalls instead of one per response. Responses leave in completion order, matched to
//! requests by id. At most [`IN_FLIGHT_MAX`] requests per connection run at once; past that
//! the reader stops reading, which pushes back on the client through TCP.

use super::codec::{ErrorBody, Wire};
use super::frame::{self, Layer, FRAME_LEN_MAX, HELLO_LEN, STATUS_ERROR, STATUS_OK};
use crate::http::HttpState;
use crate::service;
use crate::wire::WireError;
use bytes::BytesMut;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Semaphore};

/// Requests one connection may have running at once.
pub const IN_FLIGHT_MAX: usize = 4096;
/// How long a new connection may take to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the client closes it, it breaks the framing, or `stop` turns
/// true (then requests already read are finished and answered before the socket closes).
pub async fn serve_connection(
    mut stream: TcpStream,
    state: Arc<HttpState>,
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
    let (mut reader, writer) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let writer = tokio::spawn(super::write_coalesced(writer, rx));
    let permits = Arc::new(Semaphore::new(IN_FLIGHT_MAX));
    let mut buf = BytesMut::with_capacity(64 * 1024);
    'read: loop {
        loop {
            match frame::next_request(&mut buf, FRAME_LEN_MAX) {
                Ok(Some(request)) => {
                    let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                        break 'read;
                    };
                    let state = Arc::clone(&state);
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let response = answer(&state, request);
                        let _ = tx.send(response);
                        drop(permit);
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
                    let _ = tx.send(response_frame(e.id, STATUS_ERROR, &body));
                    break 'read;
                }
            }
        }
        tokio::select! {
            read = reader.read_buf(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            },
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    // Requests already running hold their own senders: the writer ends after their answers.
    drop(tx);
    let _ = writer.await;
}

/// A whole response frame for request `id`.
fn response_frame(id: u64, status: u8, payload: &impl Wire) -> Vec<u8> {
    let mut out = Vec::new();
    let start = frame::start_response(&mut out, id, status);
    payload.put(&mut out);
    frame::finish_response(&mut out, start);
    out
}

/// Runs one request on the calling (blocking) thread and returns its response frame.
fn answer(state: &HttpState, request: frame::RequestFrame) -> Vec<u8> {
    let started = Instant::now();
    let mut out = Vec::with_capacity(256);
    let start = frame::start_response(&mut out, request.id, STATUS_OK);
    let result = run(state, &request, &mut out);
    if let Err(body) = &result {
        out.truncate(start);
        frame::start_response(&mut out, request.id, STATUS_ERROR);
        body.put(&mut out);
    }
    frame::finish_response(&mut out, start);
    let name = super::operation_name(request.opcode).unwrap_or("Unknown");
    state
        .metrics
        .record(name, started.elapsed(), result.is_err());
    out
}

/// Decodes and runs `request`, appending the output's encoding to `out`.
fn run(
    state: &HttpState,
    request: &frame::RequestFrame,
    out: &mut Vec<u8>,
) -> Result<(), ErrorBody> {
    let _layer = Layer::from_code(request.layer).ok_or_else(|| ErrorBody {
        error_type: "ValidationException".to_owned(),
        message: format!(
            "Unknown layer {}: 0 is the cache, 1 the engine",
            request.layer
        ),
        ..Default::default()
    })?;
    // Until the cache arrives, both layers reach the engine.
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
    match service::call(&state.db, decoded) {
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
