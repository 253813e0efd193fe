//! Kill test: clients write through the HTTP API with the default `Sync` durability while
//! the server is killed with SIGKILL; after each restart every write the server
//! acknowledged (answered 200) is there. `TESSERA_SERVER_KILL_CYCLES` sets the number of
//! kill cycles (default 3).

mod common;

use common::Server;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const WRITERS: usize = 4;
/// Acknowledged writes per cycle before the kill.
const ACKS_PER_CYCLE: usize = 60;

/// PutItem of `key` (one attempt); true when the server answered 200.
fn put(server_addr: &str, key: &str) -> bool {
    let server = Server::connect_only(server_addr);
    let body =
        format!(r#"{{"TableName":"Kills","Item":{{"id":{{"S":"{key}"}},"v":{{"N":"1"}}}}}}"#);
    server
        .try_request("PutItem", body.as_bytes())
        .is_some_and(|status| status == 200)
}

#[test]
fn http_kill_acknowledged_writes_survive_sigkill() {
    let cycles: usize = std::env::var("TESSERA_SERVER_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, created) = server.call(
        "CreateTable",
        r#"{"TableName":"Kills","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
            "BillingMode":"PAY_PER_REQUEST"}"#,
    );
    assert_eq!(status, 200, "{created}");
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut server = server;
    for cycle in 0..cycles {
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (addr, acked, stop) =
                    (server.addr.clone(), Arc::clone(&acked), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let key = format!("c{cycle}-w{w}-{n}");
                        n += 1;
                        if put(&addr, &key) {
                            acked.lock().unwrap().push(key);
                        }
                    }
                })
            })
            .collect();
        // Wait (without sleeping on a timer) until enough writes were acknowledged.
        let target = (cycle + 1) * ACKS_PER_CYCLE;
        while acked.lock().unwrap().len() < target {
            std::thread::yield_now();
        }
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.join().unwrap();
        }
        server = Server::start(dir.path());
        for key in acked.lock().unwrap().iter() {
            let (status, got) = server.call(
                "GetItem",
                &format!(r#"{{"TableName":"Kills","Key":{{"id":{{"S":"{key}"}}}},"ConsistentRead":true}}"#),
            );
            assert_eq!(status, 200);
            assert_eq!(
                got["Item"]["v"]["N"], "1",
                "acknowledged write {key} lost after kill {cycle}"
            );
        }
    }
    assert_eq!(server.stop(), 0);
}
