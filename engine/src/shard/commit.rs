//! Group commit: concurrent writers queue their batches; one of them, the leader, takes the
//! queue's front, writes it with one WAL append and one sync, applies it, and hands every
//! writer its own result.
//!
//! **Invariant**: at most one leader at a time, and requests are taken in arrival order, so
//! sequence numbers follow the queue.

use crate::sync::{self, Condvar, Mutex};
use std::collections::{HashMap, VecDeque};

struct State<R, T> {
    queue: VecDeque<(u64, R)>,
    results: HashMap<u64, T>,
    next_id: u64,
    leading: bool,
}

/// The queue of pending writes. `R` is a request, `T` its result.
pub(crate) struct GroupCommit<R, T> {
    state: Mutex<State<R, T>>,
    cv: Condvar,
    group_weight_max: usize,
}

impl<R, T> GroupCommit<R, T> {
    /// A queue whose groups carry at most `group_weight_max` weight (at least one request).
    pub(crate) fn new(group_weight_max: usize) -> Self {
        GroupCommit {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                results: HashMap::new(),
                next_id: 0,
                leading: false,
            }),
            cv: Condvar::new(),
            group_weight_max,
        }
    }

    /// Queues `req` and returns its result. Whichever caller finds no leader becomes one and
    /// runs `process` on a group taken from the front of the queue; `process` must return
    /// exactly one result per request, in order.
    pub(crate) fn submit(
        &self,
        req: R,
        weight: impl Fn(&R) -> usize,
        process: impl Fn(Vec<R>) -> Vec<T>,
    ) -> T {
        let mut st = sync::lock(&self.state);
        let id = st.next_id;
        st.next_id += 1;
        st.queue.push_back((id, req));
        loop {
            if let Some(result) = st.results.remove(&id) {
                return result;
            }
            if st.leading {
                st = match self.cv.wait(st) {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                continue;
            }
            st.leading = true;
            let mut ids = Vec::new();
            let mut group = Vec::new();
            let mut total = 0usize;
            while let Some((_, front)) = st.queue.front() {
                let w = weight(front);
                if !group.is_empty() && total.saturating_add(w) > self.group_weight_max {
                    break;
                }
                total = total.saturating_add(w);
                let Some((i, r)) = st.queue.pop_front() else {
                    break;
                };
                ids.push(i);
                group.push(r);
            }
            drop(st);
            let results = process(group);
            debug_assert_eq!(results.len(), ids.len(), "one result per request");
            st = sync::lock(&self.state);
            st.results.extend(ids.into_iter().zip(results));
            st.leading = false;
            self.cv.notify_all();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn group_commit_many_threads_each_get_their_own_result() {
        let gc: Arc<GroupCommit<u64, u64>> = Arc::new(GroupCommit::new(8));
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..8u64)
            .map(|t| {
                let (gc, log) = (Arc::clone(&gc), Arc::clone(&log));
                std::thread::spawn(move || {
                    for i in 0..200u64 {
                        let v = t * 1000 + i;
                        let r = gc.submit(
                            v,
                            |_| 1,
                            |group| {
                                log.lock().unwrap().extend(group.iter().copied());
                                group.iter().map(|x| x * 2).collect()
                            },
                        );
                        assert_eq!(r, v * 2);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut log = log.lock().unwrap().clone();
        assert_eq!(log.len(), 1600);
        log.sort_unstable();
        log.dedup();
        assert_eq!(log.len(), 1600);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;

    #[test]
    fn group_commit_loom_every_request_processed_exactly_once() {
        loom::model(|| {
            let gc: Arc<GroupCommit<u64, u64>> = Arc::new(GroupCommit::new(2));
            let log = Arc::new(loom::sync::Mutex::new(Vec::new()));
            let handles: Vec<_> = (1..=2u64)
                .map(|t| {
                    let (gc, log) = (Arc::clone(&gc), Arc::clone(&log));
                    loom::thread::spawn(move || {
                        let r = gc.submit(
                            t,
                            |_| 1,
                            |group| {
                                log.lock().unwrap().extend(group.iter().copied());
                                group.iter().map(|x| x + 100).collect()
                            },
                        );
                        assert_eq!(r, t + 100);
                    })
                })
                .collect();
            let r = gc.submit(
                3,
                |_| 1,
                |group| {
                    log.lock().unwrap().extend(group.iter().copied());
                    group.iter().map(|x| x + 100).collect()
                },
            );
            assert_eq!(r, 103);
            for h in handles {
                h.join().unwrap();
            }
            let mut seen = log.lock().unwrap().clone();
            seen.sort_unstable();
            assert_eq!(seen, vec![1, 2, 3]);
        });
    }
}
