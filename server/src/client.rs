//! The Rust client of the binary protocol: async (tokio), pipelined, pooled.
//!
//! A [`Client`] holds a pool of connections and spreads calls over them round-robin. Each
//! connection carries any number of calls at once: a call is written as soon as it is made
//! and completes when the response with its request id arrives, in whatever order the server
//! finishes them. Clone a `Client` freely; clones share the pool. A connection that breaks
//! fails the calls in flight on it with [`ClientError::Closed`] and is reopened by the next
//! call that picks it.
//!
//! ```no_run
//! use tessera_server::client::Client;
//! use tessera_engine::api::GetItemInput;
//! use tessera_engine::model::AttributeValue;
//!
//! # async fn example() -> Result<(), tessera_server::client::ClientError> {
//! let client = Client::builder("127.0.0.1:8100").connections(4).connect().await?;
//! let mut input = GetItemInput { table_name: "Music".into(), ..Default::default() };
//! input.key.insert("Artist".into(), AttributeValue::S("Acme Band".into()));
//! let output = client.get_item(input).await?;
//! println!("{:?}", output.item);
//! # Ok(())
//! # }
//! ```

use crate::binary::codec::{decode_all, encode, ErrorBody};
use crate::binary::frame::{self, Layer, ResponseFrame, STATUS_ERROR, STATUS_OK};
use crate::binary::{Operation, OPCODE_PING};
use bytes::BytesMut;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tessera_engine::api::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::{oneshot, Notify};

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The server answered with DynamoDB's error (`ValidationException`, ...).
    Service(ErrorBody),
    /// Connecting or talking to the server failed.
    Io(std::io::Error),
    /// The server's bytes do not follow the protocol, or the versions do not meet.
    Protocol(String),
    /// The connection closed before the answer came.
    Closed,
}

impl ClientError {
    /// DynamoDB's exception name, for [`ClientError::Service`].
    pub fn error_type(&self) -> Option<&str> {
        match self {
            ClientError::Service(body) => Some(&body.error_type),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Service(b) => write!(f, "{}: {}", b.error_type, b.message),
            ClientError::Io(e) => write!(f, "I/O error: {e}"),
            ClientError::Protocol(m) => write!(f, "protocol error: {m}"),
            ClientError::Closed => f.write_str("the connection closed before the answer came"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<std::io::Error> for ClientError {
    fn from(e: std::io::Error) -> Self {
        ClientError::Io(e)
    }
}

/// Options of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    addr: String,
    connections: usize,
    layer: Layer,
}

impl ClientBuilder {
    /// Connections in the pool (default 1; one connection already pipelines).
    pub fn connections(mut self, n: usize) -> Self {
        self.connections = n.max(1);
        self
    }

    /// The layer calls are served by (default [`Layer::Cache`]).
    pub fn layer(mut self, layer: Layer) -> Self {
        self.layer = layer;
        self
    }

    /// Opens every connection of the pool (so a wrong address fails here, not later).
    pub async fn connect(self) -> Result<Client, ClientError> {
        let addr = tokio::net::lookup_host(&self.addr)
            .await?
            .next()
            .ok_or_else(|| ClientError::Protocol(format!("{} resolves to nothing", self.addr)))?;
        let mut slots = Vec::with_capacity(self.connections);
        for _ in 0..self.connections {
            slots.push(Mutex::new(Arc::new(Connection::open(addr).await?)));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                addr,
                layer: self.layer,
                slots,
                next: AtomicUsize::new(0),
            }),
        })
    }
}

/// A pooled, pipelined connection to a Tessera server's binary protocol.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    addr: SocketAddr,
    layer: Layer,
    slots: Vec<Mutex<Arc<Connection>>>,
    next: AtomicUsize,
}

type Pending = Mutex<PendingCalls>;

#[derive(Default)]
struct PendingCalls {
    /// Set, under the lock, once the connection is gone: no call may register after that.
    closed: bool,
    calls: HashMap<u64, oneshot::Sender<ResponseFrame>>,
}

/// Frames waiting to be written, and whether the writer task is on them.
#[derive(Default)]
struct Outbox {
    pending: Vec<u8>,
    writer_busy: bool,
    closed: bool,
}

/// The sending side of a connection. A call writes its frame itself with one non-blocking
/// `write` when nothing is queued (no task hand-off on the fast path); otherwise, or when
/// the socket takes only part of it, the bytes join the outbox, which the writer task sends
/// in one write per batch. A caller never awaits while writing, so dropping a call future
/// cannot cut a frame in half.
struct Sender {
    socket: OwnedWriteHalf,
    outbox: Mutex<Outbox>,
    wake: Notify,
}

impl Sender {
    fn send(&self, frame: &[u8]) -> Result<(), ClientError> {
        let mut outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        if outbox.closed {
            return Err(ClientError::Closed);
        }
        let mut written = 0;
        if !outbox.writer_busy {
            written = match self.socket.try_write(frame) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
                Err(e) => return Err(ClientError::Io(e)),
            };
            if written == frame.len() {
                return Ok(());
            }
            outbox.writer_busy = true;
            self.wake.notify_one();
        }
        outbox.pending.extend_from_slice(&frame[written..]);
        Ok(())
    }

    fn close(&self) {
        self.outbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closed = true;
        self.wake.notify_one();
    }
}

/// Writes what the outbox gathers until the connection closes.
async fn write_outbox(sender: Arc<Sender>) {
    let mut batch = Vec::new();
    loop {
        {
            let mut outbox = sender.outbox.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::swap(&mut batch, &mut outbox.pending);
            if batch.is_empty() {
                outbox.writer_busy = false;
                if outbox.closed {
                    return;
                }
            }
        }
        if batch.is_empty() {
            sender.wake.notified().await;
            continue;
        }
        let mut at = 0;
        while at < batch.len() {
            if sender.socket.writable().await.is_err() {
                sender.close();
                return;
            }
            match sender.socket.try_write(&batch[at..]) {
                Ok(n) => at += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => {
                    sender.close();
                    return;
                }
            }
        }
        batch.clear();
    }
}

/// One TCP connection: calls write through its [`Sender`], a reader task completes them.
struct Connection {
    sender: Arc<Sender>,
    pending: Arc<Pending>,
    next_id: AtomicU64,
    broken: Arc<AtomicBool>,
    frame_len_max: u32,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Connection, ClientError> {
        let mut stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        stream.write_all(&frame::hello(frame::VERSIONS)).await?;
        let mut welcome = [0u8; frame::WELCOME_LEN];
        stream.read_exact(&mut welcome).await?;
        let (version, frame_len_max) = frame::read_welcome(&welcome)
            .ok_or_else(|| ClientError::Protocol("the server did not answer the hello".into()))?;
        if version == 0 {
            return Err(ClientError::Protocol(format!(
                "the server speaks none of versions {}..={}",
                frame::VERSIONS.0,
                frame::VERSIONS.1
            )));
        }
        let (reader, writer) = stream.into_split();
        let sender = Arc::new(Sender {
            socket: writer,
            outbox: Mutex::default(),
            wake: Notify::new(),
        });
        tokio::spawn(write_outbox(Arc::clone(&sender)));
        let pending: Arc<Pending> = Arc::default();
        let broken = Arc::new(AtomicBool::new(false));
        tokio::spawn(read_responses(
            reader,
            Arc::clone(&pending),
            Arc::clone(&broken),
        ));
        Ok(Connection {
            sender,
            pending,
            next_id: AtomicU64::new(1),
            broken,
            frame_len_max,
        })
    }

    /// Sends one request and waits for its response frame.
    async fn send(
        &self,
        opcode: u8,
        layer: Layer,
        payload: &[u8],
    ) -> Result<ResponseFrame, ClientError> {
        let len = payload.len() + frame::REQUEST_HEADER_LEN;
        if len > self.frame_len_max as usize {
            return Err(ClientError::Protocol(format!(
                "a request of {len} bytes exceeds the server's {}-byte frame limit",
                self.frame_len_max
            )));
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = oneshot::channel();
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.closed {
                return Err(ClientError::Closed);
            }
            pending.calls.insert(id, done);
        }
        let mut out = Vec::with_capacity(len + 4);
        frame::put_request(&mut out, id, opcode, layer, payload);
        if let Err(e) = self.sender.send(&out) {
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .calls
                .remove(&id);
            return Err(e);
        }
        answer.await.map_err(|_| ClientError::Closed)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The writer task sends what is queued, then ends; the socket closes with it.
        self.sender.close();
    }
}

/// Completes calls as their responses arrive; when the connection ends, fails the rest.
async fn read_responses(
    mut reader: tokio::net::tcp::OwnedReadHalf,
    pending: Arc<Pending>,
    broken: Arc<AtomicBool>,
) {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    'read: loop {
        loop {
            match frame::next_response(&mut buf, u32::MAX) {
                Ok(Some(response)) => {
                    let done = pending
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .calls
                        .remove(&response.id);
                    if let Some(done) = done {
                        let _ = done.send(response);
                    }
                }
                Ok(None) => break,
                Err(_) => break 'read,
            }
        }
        match reader.read_buf(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    broken.store(true, Ordering::Release);
    let mut pending = pending.lock().unwrap_or_else(PoisonError::into_inner);
    pending.closed = true;
    // Dropping the senders fails every waiting call with `Closed`.
    pending.calls.clear();
}

macro_rules! client_operations {
    ($($method:ident $input:ident;)*) => {
        impl Client {
            $(
                #[doc = concat!("Calls ", stringify!($input), "'s operation.")]
                pub async fn $method(
                    &self,
                    input: $input,
                ) -> Result<<$input as Operation>::Output, ClientError> {
                    self.call(&input).await
                }
            )*
        }
    };
}

client_operations! {
    create_table CreateTableInput;
    describe_table DescribeTableInput;
    list_tables ListTablesInput;
    update_table UpdateTableInput;
    delete_table DeleteTableInput;
    put_item PutItemInput;
    get_item GetItemInput;
    update_item UpdateItemInput;
    delete_item DeleteItemInput;
    query QueryInput;
    scan ScanInput;
    batch_get_item BatchGetItemInput;
    batch_write_item BatchWriteItemInput;
    transact_write_items TransactWriteItemsInput;
    transact_get_items TransactGetItemsInput;
}

impl Client {
    /// Options for a client of the server at `addr` (`host:port`).
    pub fn builder(addr: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            addr: addr.into(),
            connections: 1,
            layer: Layer::default(),
        }
    }

    /// A client with one connection to `addr`.
    pub async fn connect(addr: impl Into<String>) -> Result<Client, ClientError> {
        Client::builder(addr).connect().await
    }

    /// Runs any operation: `input`'s type names it.
    pub async fn call<I: Operation>(&self, input: &I) -> Result<I::Output, ClientError> {
        let response = self.send(I::OPCODE, &encode(input)).await?;
        match response.status {
            STATUS_OK => decode_all(&response.payload)
                .map_err(|e| ClientError::Protocol(format!("{} output: {e}", I::NAME))),
            _ => Err(error(&response)),
        }
    }

    /// A round trip that does not touch the database.
    pub async fn ping(&self) -> Result<(), ClientError> {
        let response = self.send(OPCODE_PING, &[]).await?;
        match response.status {
            STATUS_OK => Ok(()),
            _ => Err(error(&response)),
        }
    }

    async fn send(&self, opcode: u8, payload: &[u8]) -> Result<ResponseFrame, ClientError> {
        let slot = self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.slots.len();
        let connection = self.connection(slot).await?;
        connection.send(opcode, self.inner.layer, payload).await
    }

    /// The connection of `slot`, reopened first if it broke.
    async fn connection(&self, slot: usize) -> Result<Arc<Connection>, ClientError> {
        let current = Arc::clone(
            &self.inner.slots[slot]
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if !current.broken.load(Ordering::Acquire) {
            return Ok(current);
        }
        let fresh = Arc::new(Connection::open(self.inner.addr).await?);
        *self.inner.slots[slot]
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&fresh);
        Ok(fresh)
    }
}

fn error(response: &ResponseFrame) -> ClientError {
    if response.status != STATUS_ERROR {
        return ClientError::Protocol(format!("unknown response status {}", response.status));
    }
    match decode_all::<ErrorBody>(&response.payload) {
        Ok(body) => ClientError::Service(body),
        Err(e) => ClientError::Protocol(format!("error body: {e}")),
    }
}
