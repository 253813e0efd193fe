//! Shared by the server's integration tests: start the real `tessera` binary on an
//! ephemeral port with a temp data dir and talk raw HTTP to it.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// A running `tessera serve` on an ephemeral port.
pub struct Server {
    pub child: Child,
    /// The HTTP API's `host:port`.
    pub addr: String,
    /// The binary protocol's `host:port`.
    pub binary_addr: String,
}

impl Server {
    pub fn start(data_dir: &std::path::Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    /// Starts the server with extra `serve` flags.
    pub fn start_with(data_dir: &std::path::Path, flags: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args([
                "serve",
                "--http",
                "127.0.0.1:0",
                "--binary",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir)
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut address = |scheme: &str| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.split(scheme)
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or_else(|| panic!("no {scheme} address in {line:?}"))
                .to_owned()
        };
        let addr = address("http://");
        let binary_addr = address("tcp://");
        Server {
            child,
            addr,
            binary_addr,
        }
    }

    /// Sends one request and returns (status, headers lower-cased, body).
    pub fn request(
        &self,
        method: &str,
        target: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        self.request_path(method, "/", target, content_type, body)
    }

    pub fn request_path(
        &self,
        method: &str,
        path: &str,
        target: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.addr,
            body.len()
        );
        if let Some(t) = target {
            head.push_str(&format!("X-Amz-Target: DynamoDB_20120810.{t}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let body = raw[split + 4..].to_vec();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head, body)
    }

    pub fn call(&self, op: &str, json: &str) -> (u16, serde_json::Value) {
        let (status, head, body) = self.request(
            "POST",
            Some(op),
            "application/x-amz-json-1.0",
            json.as_bytes(),
        );
        let crc = head
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-crc32: "))
            .expect("x-amz-crc32 header");
        assert_eq!(crc.trim(), crc32fast::hash(&body).to_string());
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// A handle for talking to a server someone else started (no process attached).
    pub fn connect_only(addr: &str) -> ClientOnly {
        ClientOnly {
            addr: addr.to_owned(),
        }
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM; returns its exit code.
    pub fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

/// A raw HTTP client for a server address, tolerant of the server going away.
pub struct ClientOnly {
    addr: String,
}

impl ClientOnly {
    /// POSTs `body` as DynamoDB operation `op`; the status, or `None` if the connection
    /// failed or was cut.
    pub fn try_request(&self, op: &str, body: &[u8]) -> Option<u16> {
        let mut stream = TcpStream::connect(&self.addr).ok()?;
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.{op}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body).ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        let head = String::from_utf8_lossy(&raw);
        head.split_whitespace().nth(1)?.parse().ok()
    }
}
