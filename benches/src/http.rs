//! A keep-alive HTTP/1.1 connection speaking just enough of the protocol for DynamoDB's JSON
//! API (one request at a time, `Content-Length` bodies), for the load generators. Every
//! request carries a SigV4-shaped `Authorization` header: Tessera accepts any credentials,
//! and dynalite and DynamoDB Local refuse requests without one (neither checks the
//! signature).

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000";

/// One connection to a DynamoDB-compatible endpoint, opened lazily and reopened after an
/// error.
#[derive(Debug)]
pub struct HttpConn {
    addr: String,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    request: Vec<u8>,
}

impl HttpConn {
    /// A connection to `addr` (`host:port`, or a URL such as `http://localhost:8000`).
    pub fn new(addr: &str) -> Self {
        let addr = addr
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        HttpConn {
            addr,
            stream: None,
            buf: Vec::with_capacity(8192),
            request: Vec::with_capacity(2048),
        }
    }

    /// The `host:port` this connection talks to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// POSTs `body` as DynamoDB operation `operation` and returns the status and the body.
    /// An I/O error drops the connection, so the next call opens a new one.
    pub async fn call(&mut self, operation: &str, body: &[u8]) -> anyhow::Result<(u16, &[u8])> {
        match self.exchange(operation, body).await {
            Ok((status, start, end)) => Ok((status, &self.buf[start..end])),
            Err(e) => {
                self.stream = None;
                Err(e)
            }
        }
    }

    async fn exchange(
        &mut self,
        operation: &str,
        body: &[u8],
    ) -> anyhow::Result<(u16, usize, usize)> {
        use std::io::Write;
        // Head and body in one buffer, sent with one write.
        self.request.clear();
        write!(
            self.request,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: DynamoDB_20120810.{operation}\r\nX-Amz-Date: 20250101T000000Z\r\n\
             Authorization: {AUTHORIZATION}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        )?;
        self.request.extend_from_slice(body);
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.addr)
                .await
                .with_context(|| format!("connecting to {}", self.addr))?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
        }
        let Some(stream) = self.stream.as_mut() else {
            bail!("no connection");
        };
        stream.write_all(&self.request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        let (head_end, content_length) = loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed by {}", self.addr);
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end])?.to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse::<usize>())
                    .transpose()?
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        while self.buf.len() < head_end + content_length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed by {}", self.addr);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let status = std::str::from_utf8(self.buf.get(9..12).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, head_end, head_end + content_length))
    }
}
