//! Group commit: concurrent writers queue their batches; one of them, the leader, takes the
//! queue's front, writes it with one WAL append and one sync, applies it, and hands every
//! writer its own result.
//!
//! **Invariant**: at most one leader at a time, and requests are taken in arrival order, so
//! sequence numbers follow the queue.
//!
//! Each waiting writer sleeps on its own slot and is woken only when its result is ready or
//! it is handed the lead; a `notify_all` on a shared condvar would wake every writer for
//! every group, and with more writers than cores that thrashes the scheduler.

use crate::sync::{self, Arc, Condvar, Mutex};
use std::collections::VecDeque;

/// What a waiting writer is told.
enum Signal<T> {
    /// Still queued behind a running leader.
    Wait,
    /// Its request is at the queue's front and no leader runs: it leads the next group.
    Lead,
    /// A leader processed its request.
    Done(T),
}

/// Where one writer waits for its signal.
struct Slot<T> {
    signal: Mutex<Signal<T>>,
    cv: Condvar,
}

impl<T> Slot<T> {
    fn new() -> Self {
        Slot {
            signal: Mutex::new(Signal::Wait),
            cv: Condvar::new(),
        }
    }

    fn send(&self, signal: Signal<T>) {
        *sync::lock(&self.signal) = signal;
        self.cv.notify_one();
    }

    /// Sleeps until signalled; returns `None` when told to lead.
    fn wait(&self) -> Option<T> {
        let mut g = sync::lock(&self.signal);
        loop {
            match std::mem::replace(&mut *g, Signal::Wait) {
                Signal::Wait => {}
                Signal::Lead => return None,
                Signal::Done(t) => return Some(t),
            }
            g = match self.cv.wait(g) {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
        }
    }
}

struct State<R, T> {
    queue: VecDeque<(R, Arc<Slot<T>>)>,
    /// A leader is running. **Invariant**: when false the queue is empty, so a writer that
    /// finds no leader is at the front; a leader hands the lead to the front writer.
    leading: bool,
}

/// The queue of pending writes. `R` is a request, `T` its result.
pub(crate) struct GroupCommit<R, T> {
    state: Mutex<State<R, T>>,
    group_weight_max: usize,
}

impl<R, T> GroupCommit<R, T> {
    /// A queue whose groups carry at most `group_weight_max` weight (at least one request).
    pub(crate) fn new(group_weight_max: usize) -> Self {
        GroupCommit {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                leading: false,
            }),
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
        let slot = Arc::new(Slot::new());
        let mut st = sync::lock(&self.state);
        st.queue.push_back((req, Arc::clone(&slot)));
        if st.leading {
            drop(st);
            if let Some(result) = slot.wait() {
                return result;
            }
            st = sync::lock(&self.state);
        }
        st.leading = true;
        let mut slots = Vec::new();
        let mut group = Vec::new();
        let mut total = 0usize;
        while let Some((front, _)) = st.queue.front() {
            let w = weight(front);
            if !group.is_empty() && total.saturating_add(w) > self.group_weight_max {
                break;
            }
            total = total.saturating_add(w);
            let Some((r, s)) = st.queue.pop_front() else {
                break;
            };
            slots.push(s);
            group.push(r);
        }
        drop(st);
        debug_assert!(
            slots.first().is_some_and(|s| Arc::ptr_eq(s, &slot)),
            "the leader's own request is at the queue's front"
        );
        let results = process(group);
        debug_assert_eq!(results.len(), slots.len(), "one result per request");
        // Hand the lead on first: the next group's WAL write need not wait for the wake-ups.
        let mut st = sync::lock(&self.state);
        match st.queue.front() {
            Some((_, next)) => next.send(Signal::Lead),
            None => st.leading = false,
        }
        drop(st);
        let mut mine = None;
        for (s, result) in slots.into_iter().zip(results) {
            if Arc::ptr_eq(&s, &slot) {
                mine = Some(result);
            } else {
                s.send(Signal::Done(result));
            }
        }
        mine.expect("the leader's own request is in its group")
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
