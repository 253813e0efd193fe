//! Locks and atomics, from std or from loom under `--cfg loom`.
//!
//! Everything concurrent in the engine takes its primitives from here so the loom tests can
//! explore interleavings of the same code that runs in production.
#![allow(
    unused_imports,
    dead_code,
    reason = "the full set is offered to every module; not all are in use in every build"
)]

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    Arc, Condvar, Mutex, MutexGuard, RwLock,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    Arc, Condvar, Mutex, MutexGuard, RwLock,
};

/// Locks `m`, ignoring poisoning: a panicking holder poisons the engine through its own
/// flag, and the data behind our mutexes stays consistent between statements.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Read-locks `l`, ignoring poisoning (see [`lock`]).
#[cfg(not(loom))]
pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    match l.read() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Write-locks `l`, ignoring poisoning (see [`lock`]).
#[cfg(not(loom))]
pub(crate) fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    match l.write() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Read-locks `l` (loom flavour).
#[cfg(loom)]
pub(crate) fn read<T>(l: &RwLock<T>) -> loom::sync::RwLockReadGuard<'_, T> {
    match l.read() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Write-locks `l` (loom flavour).
#[cfg(loom)]
pub(crate) fn write<T>(l: &RwLock<T>) -> loom::sync::RwLockWriteGuard<'_, T> {
    match l.write() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
