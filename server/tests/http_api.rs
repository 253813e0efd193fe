//! The `tessera` binary end to end over raw HTTP: startup on an ephemeral port with a temp
//! data dir, the health endpoint, DynamoDB JSON requests and responses with the
//! `x-amz-crc32` header, DynamoDB-shaped errors for malformed input (the server stays up),
//! acknowledged writes surviving a SIGTERM restart, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["serve", "--http", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    /// Sends one request and returns (status, headers lower-cased, body).
    fn request(
        &self,
        method: &str,
        target: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        self.request_path(method, "/", target, content_type, body)
    }

    fn request_path(
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

    fn call(&self, op: &str, json: &str) -> (u16, serde_json::Value) {
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

    fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

#[test]
fn http_api_serves_dynamodb_json_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, _, body) = server.request("GET", None, "text/plain", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with("healthy: dynamodb."));

    let (status, created) = server.call(
        "CreateTable",
        r#"{"TableName":"Music","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"}],
            "BillingMode":"PAY_PER_REQUEST"}"#,
    );
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["TableDescription"]["TableStatus"], "ACTIVE");
    let (status, _) = server.call(
        "PutItem",
        r#"{"TableName":"Music","Item":{"Artist":{"S":"Ada"},"Plays":{"N":"042.50"},"Raw":{"B":"AAE="}}}"#,
    );
    assert_eq!(status, 200);
    let (_, got) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}}}"#,
    );
    assert_eq!(got["Item"]["Plays"]["N"], "42.5");
    assert_eq!(got["Item"]["Raw"]["B"], "AAE=");

    // Malformed input gets DynamoDB-shaped errors and the server stays up.
    let (status, err) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    let (status, err) = server.call("NoSuchOperation", "{}");
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.service#UnknownOperationException"
    );
    let (status, err) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Nope":{"S":"x"}}}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazon.coral.validate#ValidationException"
    );
    assert_eq!(
        err["message"],
        "The provided key element does not match the schema"
    );
    let (status, err) = server.call("DescribeTable", r#"{"TableName":"Missing"}"#);
    assert_eq!(status, 400);
    assert_eq!(
        err["__type"],
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    );
    let (status, _, _) = server.request("PUT", None, "text/plain", b"");
    assert_eq!(status, 404);

    // Prometheus metrics count requests per operation.
    let (status, _, body) = server.request_path("GET", "/metrics", None, "text/plain", b"");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("tessera_requests_total{operation=\"PutItem\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tessera_request_errors_total{operation=\"GetItem\"} 1"),
        "{text}"
    );
    assert!(text.contains("tessera_engine_writes_total"), "{text}");

    // SIGTERM: a clean exit, and the acknowledged write is there after a restart.
    assert_eq!(server.stop(), 0);
    let server = Server::start(dir.path());
    let (_, got) = server.call(
        "GetItem",
        r#"{"TableName":"Music","Key":{"Artist":{"S":"Ada"}}}"#,
    );
    assert_eq!(got["Item"]["Plays"]["N"], "42.5");
    assert_eq!(server.stop(), 0);
}
