//! The cost capacity accounting and enforcement add to one operation: units from a size, the
//! table's admission check and its charge (with a partition bucket).

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tessera_engine::api::{AutoScaling, BillingMode};
use tessera_engine::table::capacity::{read_units, write_units};
use tessera_engine::table::throttle::{Op, TableCapacity};

fn capacity(c: &mut Criterion) {
    let mut g = c.benchmark_group("capacity");
    let table = TableCapacity::new(
        BillingMode::Provisioned,
        1_000_000_000,
        1_000_000_000,
        AutoScaling::default(),
    );
    let mut now = 1.0e9;
    let mut partition = 0u64;
    g.bench_function("admit_and_charge_write", |b| {
        b.iter(|| {
            now += 1e-6;
            partition = (partition + 1) % 1000;
            let p = [partition];
            table.admit(Op::Write, &p, now).ok();
            table.charge(
                Op::Write,
                write_units(black_box(1000), black_box(1100)),
                &p,
                now,
            );
        })
    });
    let on_demand = TableCapacity::new(BillingMode::PayPerRequest, 0, 0, AutoScaling::default());
    g.bench_function("admit_and_charge_read_on_demand", |b| {
        b.iter(|| {
            now += 1e-6;
            on_demand.admit(Op::Read, &[], now).ok();
            on_demand.charge(Op::Read, read_units(black_box(1000), false), &[], now);
        })
    });
    g.finish();
}

criterion_group!(benches, capacity);
criterion_main!(benches);
