//! DynamoDB's JSON-over-HTTP API on hyper: `POST /` with `X-Amz-Target:
//! DynamoDB_20120810.<Operation>`, answered with the same body shapes, error bodies,
//! status codes and `x-amz-crc32` header as DynamoDB. Engine calls run on tokio's blocking
//! pool, so a slow fsync never stalls the network threads; GetItem alone runs in place
//! ([`service::runs_inline`]).

use crate::service;
pub use crate::state::ServerState;
use crate::wire::{self, WireError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use std::sync::Arc;

/// Largest request body DynamoDB accepts.
pub const REQUEST_BODY_BYTES_MAX: usize = 16 * 1024 * 1024;
/// The target prefix of DynamoDB's operations.
const TARGET_PREFIX: &str = "DynamoDB_20120810.";
/// Content type of DynamoDB's JSON protocol.
const JSON_1_0: &str = "application/x-amz-json-1.0";

/// A response with `body` and DynamoDB's headers (content type, request id, CRC-32).
fn reply(
    state: &ServerState,
    status: StatusCode,
    content_type: &str,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    let crc = crc32fast::hash(&body);
    let id = state.next_request_id();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&crc.to_string()) {
        headers.insert("x-amz-crc32", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("TESSERA{id:020}")) {
        headers.insert("x-amzn-requestid", v);
    }
    response
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Answers one HTTP request.
pub async fn handle(
    state: Arc<ServerState>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if request.method() == Method::GET {
        let body = match request.uri().path() {
            "/health" => b"ok\n".to_vec(),
            "/metrics" => {
                let text = state.metrics.render(
                    state.db.store(),
                    &state.cache.stats(),
                    &state.db.capacity_counters(),
                );
                return Ok(reply(
                    &state,
                    StatusCode::OK,
                    "text/plain; version=0.0.4",
                    text.into_bytes(),
                ));
            }
            _ => format!("healthy: dynamodb.{}.amazonaws.com ", state.region).into_bytes(),
        };
        return Ok(reply(&state, StatusCode::OK, "text/plain", body));
    }
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(op) = target
        .as_deref()
        .and_then(|t| t.strip_prefix(crate::autoscaling::TARGET_PREFIX))
        .filter(|_| request.method() == Method::POST)
    {
        // Application Auto Scaling's API for DynamoDB tables (docs/capacity.md).
        let op = op.to_owned();
        let json_1_1 = crate::autoscaling::JSON_1_1;
        let Ok(collected) = Limited::new(request.into_body(), REQUEST_BODY_BYTES_MAX)
            .collect()
            .await
        else {
            return Ok(reply(
                &state,
                StatusCode::PAYLOAD_TOO_LARGE,
                json_1_1,
                Vec::new(),
            ));
        };
        let body = collected.to_bytes();
        let shared = Arc::clone(&state);
        let (code, answer) =
            tokio::task::spawn_blocking(move || crate::autoscaling::handle(&shared, &op, &body))
                .await
                .unwrap_or_else(|_| (500, b"{}".to_vec()));
        return Ok(reply(&state, status(code), json_1_1, answer));
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    let json_type = match content_type.as_str() {
        JSON_1_0 | "application/json" => content_type.clone(),
        _ => String::new(),
    };
    if request.method() != Method::POST || json_type.is_empty() {
        return Ok(reply(
            &state,
            StatusCode::NOT_FOUND,
            "text/xml",
            b"<UnknownOperationException/>\n".to_vec(),
        ));
    }
    let operation = target
        .as_deref()
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned);
    let body = match Limited::new(request.into_body(), REQUEST_BODY_BYTES_MAX)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(reply(
                &state,
                StatusCode::PAYLOAD_TOO_LARGE,
                &json_type,
                Vec::new(),
            ))
        }
    };
    let Some(operation) = operation else {
        let (code, body) = wire::wire_error_response(&WireError::UnknownOperation);
        return Ok(reply(&state, status(code), &json_type, body));
    };
    let decoded = match wire::decode_request(&operation, &body) {
        Ok(r) => r,
        Err(e) => {
            let (code, body) = wire::wire_error_response(&e);
            return Ok(reply(&state, status(code), &json_type, body));
        }
    };
    let started = std::time::Instant::now();
    let layer = state.layer(state.http_through_cache);
    let result = if service::runs_inline(&decoded) {
        Ok(service::call(&*layer, decoded))
    } else {
        tokio::task::spawn_blocking(move || service::call(&*layer, decoded)).await
    };
    let (code, body) = match result {
        Ok(Ok(response)) => (200, wire::encode_response(&response)),
        Ok(Err(e)) => {
            if matches!(e, tessera_engine::api::ApiError::Internal(_)) {
                log::error!("{operation}: {e}");
            }
            wire::error_response(&e)
        }
        Err(join) => {
            log::error!("{operation}: the engine call panicked: {join}");
            wire::error_response(&tessera_engine::api::ApiError::Internal(
                tessera_engine::Error::Closed,
            ))
        }
    };
    state
        .metrics
        .record(&operation, started.elapsed(), code != 200);
    Ok(reply(&state, status(code), &json_type, body))
}
