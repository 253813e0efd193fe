//! Capacity enforcement against a controlled clock: provisioned tables throttle at their rate
//! and recover as tokens refill, a throttled write changes nothing, a hot partition key
//! throttles on its own, on-demand tables absorb twice their previous peak.

mod common_items;

use common_items::*;
use std::sync::Arc;
use tessera_engine::api::*;
use tessera_engine::model::{Item, ScalarType};
use tessera_engine::{Database, DatabaseOptions, Durability};

fn open_limited(dir: &std::path::Path, clock: Arc<FixedClock>) -> Database {
    let options = DatabaseOptions {
        clock,
        capacity_limits: true,
        ..DatabaseOptions::default()
    };
    Database::open_with(config(dir).durability(Durability::None), options).unwrap()
}

fn table(db: &Database, name: &str, read: i64, write: i64) {
    let mut input = hash_table(name, "id", ScalarType::S);
    if read > 0 {
        input.billing_mode = Some(BillingMode::Provisioned);
        input.provisioned_throughput = Some(throughput(read, write));
    }
    db.create_table(input).unwrap();
}

/// An item of about `kb` KB under key `id`.
fn item_kb(id: &str, kb: usize) -> Item {
    item(&[("id", s(id)), ("p", s(&"x".repeat(kb * 1024 - 10)))])
}

fn try_put(db: &Database, table: &str, item: Item) -> ApiResult<PutItemOutput> {
    db.put_item(PutItemInput {
        table_name: table.into(),
        item,
        ..Default::default()
    })
}

#[test]
fn provisioned_writes_throttle_at_the_rate_and_recover() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(1000.0);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "Prov", 10, 5);
    // One second's worth to begin with: five 1 KB writes.
    for i in 0..5 {
        try_put(&db, "Prov", item_kb(&format!("k{i}"), 1)).unwrap();
    }
    let refused = try_put(&db, "Prov", item_kb("k5", 1));
    assert_error(
        refused,
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    );
    // The refused write changed nothing.
    assert_eq!(get(&db, "Prov", item(&[("id", s("k5"))])), None);
    // Reads have their own bucket.
    assert!(get(&db, "Prov", item(&[("id", s("k0"))])).is_some());
    // A fifth of a second later one unit has refilled.
    clock.set(1000.2);
    try_put(&db, "Prov", item_kb("k5", 1)).unwrap();
    assert!(try_put(&db, "Prov", item_kb("k6", 1)).is_err());
    // Unused capacity banks as burst credit, up to 300 seconds' worth.
    clock.set(2000.0);
    let mut written = 0;
    while try_put(&db, "Prov", item_kb(&format!("b{written}"), 1)).is_ok() {
        written += 1;
        assert!(written < 5000);
    }
    assert_eq!(written, 5 * 300);
    let counters = db.capacity_counters();
    assert_eq!(counters[0].0, "Prov");
    assert_eq!(counters[0].1.throttled_writes, 3);
    assert_eq!(counters[0].1.write_units, (6 + 1500) as f64);
}

#[test]
fn big_items_cost_more_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(10.0);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "Big", 5, 5);
    // A 4 KB write spends 4 of the 5 units; the next is admitted on the last unit and
    // leaves the bucket in debt, which refuses until refilled.
    try_put(&db, "Big", item_kb("a", 4)).unwrap();
    try_put(&db, "Big", item_kb("b", 4)).unwrap();
    assert!(try_put(&db, "Big", item_kb("c", 1)).is_err());
    // 5 - 4 - 4 = -3: back above zero after more than 0.6 s.
    clock.set(10.6);
    assert!(try_put(&db, "Big", item_kb("c", 1)).is_err());
    clock.set(10.7);
    try_put(&db, "Big", item_kb("c", 1)).unwrap();
}

#[test]
fn hot_partition_key_throttles_while_other_keys_proceed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(50.0);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "Hot", 40_000, 40_000);
    // 1,000 write units a second per partition key: ten 100 KB writes to one key.
    let mut written = 0;
    while try_put(&db, "Hot", item_kb("hot", 100)).is_ok() {
        written += 1;
        assert!(written < 100);
    }
    assert_eq!(written, 10);
    try_put(&db, "Hot", item_kb("cold", 100)).unwrap();
    clock.set(51.0);
    try_put(&db, "Hot", item_kb("hot", 100)).unwrap();
}

#[test]
fn on_demand_absorbs_twice_the_previous_peak() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(100.5);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "OnDemand", 0, 0);
    let fill = |tag: &str| {
        let mut written = 0;
        loop {
            match try_put(
                &db,
                "OnDemand",
                item_kb(&format!("{tag}{}", written % 50), 100),
            ) {
                Ok(_) => written += 1,
                Err(e) => {
                    assert_eq!(e.error_type(), "ThrottlingException");
                    return written;
                }
            }
            assert!(written < 1000);
        }
    };
    // A new on-demand table sustains 4,000 write units a second: forty 100 KB writes.
    assert_eq!(fill("a"), 40);
    clock.set(101.5);
    assert_eq!(fill("b"), 80);
    clock.set(102.5);
    assert_eq!(fill("c"), 160);
}

#[test]
fn capacity_limits_off_serves_everything_and_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with_clock(dir.path(), FixedClock::at(5.0));
    table(&db, "Free", 1, 1);
    for i in 0..20 {
        try_put(&db, "Free", item_kb(&format!("k{i}"), 1)).unwrap();
    }
    let counters = db.capacity_counters();
    assert_eq!(
        (counters[0].1.write_units, counters[0].1.throttled_writes),
        (20.0, 0)
    );
}

fn update_throughput(
    db: &Database,
    name: &str,
    read: i64,
    write: i64,
) -> ApiResult<UpdateTableOutput> {
    db.update_table(UpdateTableInput {
        table_name: name.into(),
        billing_mode: Some(BillingMode::Provisioned),
        provisioned_throughput: Some(throughput(read, write)),
        ..Default::default()
    })
}

#[test]
fn update_table_decreases_four_at_any_time_then_one_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    // Tuesday, November 24, 2026 5:03:09 AM UTC.
    let t0 = 1_795_496_589.0;
    let clock = FixedClock::at(t0);
    let db = open_with_clock(dir.path(), clock.clone());
    table(&db, "Dec", 100, 100);
    for n in 1..=4 {
        let out = update_throughput(&db, "Dec", 100 - n, 100).unwrap();
        let t = out.table_description.provisioned_throughput;
        assert_eq!(t.number_of_decreases_today, n);
    }
    // Increases are not limited.
    update_throughput(&db, "Dec", 200, 100).unwrap();
    clock.set(t0 + 60.0);
    assert_error(
        update_throughput(&db, "Dec", 50, 100),
        "LimitExceededException",
        "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: 4. Last decrease at Tuesday, November 24, 2026 5:03:09 AM UTC. Next decrease can be made at Tuesday, November 24, 2026 6:03:09 AM UTC",
    );
    clock.set(t0 + 3600.0);
    update_throughput(&db, "Dec", 50, 100).unwrap();
    assert!(update_throughput(&db, "Dec", 40, 100).is_err());
    // A new UTC day starts the count again.
    clock.set(t0 + 86_400.0);
    let out = update_throughput(&db, "Dec", 40, 100).unwrap();
    assert_eq!(
        out.table_description
            .provisioned_throughput
            .number_of_decreases_today,
        1
    );
}

#[test]
fn update_table_switches_to_on_demand_once_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 1_795_496_589.0;
    let clock = FixedClock::at(t0);
    let db = open_with_clock(dir.path(), clock.clone());
    table(&db, "Switch", 5, 5);
    let to_on_demand = |db: &Database| {
        db.update_table(UpdateTableInput {
            table_name: "Switch".into(),
            billing_mode: Some(BillingMode::PayPerRequest),
            ..Default::default()
        })
    };
    to_on_demand(&db).unwrap();
    clock.set(t0 + 3600.0);
    update_throughput(&db, "Switch", 5, 5).unwrap();
    clock.set(t0 + 7200.0);
    assert_error(
        to_on_demand(&db),
        "LimitExceededException",
        "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s). Last update at Tuesday, November 24, 2026 5:03:09 AM UTC. Next update can be made at Wednesday, November 25, 2026 5:03:09 AM UTC",
    );
    clock.set(t0 + 86_400.0);
    to_on_demand(&db).unwrap();
}

fn provisioned_writes(db: &Database, name: &str) -> i64 {
    db.describe_table(DescribeTableInput {
        table_name: name.into(),
    })
    .unwrap()
    .table
    .provisioned_throughput
    .write_capacity_units
}

#[test]
fn auto_scaling_raises_capacity_quickly_and_lowers_it_slowly() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 1_795_495_200.0; // a minute boundary
    let clock = FixedClock::at(t0);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "Scaled", 5, 5);
    let policy = TargetTracking {
        min_capacity: 5,
        max_capacity: 100,
        target_utilization: 50.0,
    };
    db.put_scaling_policy(
        "Scaled",
        AutoScaling {
            write: Some(policy),
            ..Default::default()
        },
    )
    .unwrap();
    // `per_second` 1 KB write attempts each second for `minutes`, from minute `from`.
    let load = |from: u32, minutes: u32, per_second: u32| {
        for second in 0..minutes * 60 {
            clock.set(t0 + f64::from(from * 60 + second));
            for i in 0..per_second {
                let _ = try_put(&db, "Scaled", item_kb(&format!("k{i}"), 1));
            }
        }
    };
    // Demand of 20 WCU against 5: throttled, consumption pinned at capacity, utilization
    // 100% of a 50% target: each two minutes above target double the capacity, until
    // demand sits at the target (40 WCU for 20 WCU of demand).
    let mut seen = vec![provisioned_writes(&db, "Scaled")];
    for minute in 0..10 {
        load(minute, 1, 20);
        seen.push(provisioned_writes(&db, "Scaled"));
    }
    assert_eq!(*seen.last().unwrap(), 40, "capacity per minute: {seen:?}");
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    let reached = seen.iter().position(|&c| c == 40).unwrap();
    assert!(
        reached <= 8,
        "40 WCU only after {reached} minutes: {seen:?}"
    );
    // Demand falls to 1 WCU: capacity stays for 15 minutes well under target, then drops to
    // what 1 WCU needs at 50%, held at the policy's minimum.
    load(10, 14, 1);
    assert_eq!(provisioned_writes(&db, "Scaled"), 40);
    load(24, 3, 1);
    assert_eq!(provisioned_writes(&db, "Scaled"), 5);
    let t = db
        .describe_table(DescribeTableInput {
            table_name: "Scaled".into(),
        })
        .unwrap()
        .table
        .provisioned_throughput;
    assert_eq!(t.number_of_decreases_today, 1);
    assert!(t.last_increase_date_time.is_some());
}

#[test]
fn scaling_policy_is_validated_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with_clock(dir.path(), FixedClock::at(100.0));
    table(&db, "Policy", 5, 3);
    table(&db, "OnDemandPolicy", 0, 0);
    let policy = |min, max, target| AutoScaling {
        read: Some(TargetTracking {
            min_capacity: min,
            max_capacity: max,
            target_utilization: target,
        }),
        write: None,
    };
    assert_validation(
        db.put_scaling_policy("Policy", policy(10, 5, 70.0)),
        "The read capacity bounds must satisfy 1 <= min (10) <= max (5) <= 40000",
    );
    assert_validation(
        db.put_scaling_policy("Policy", policy(1, 5, 95.0)),
        "The read capacity target utilization must be between 20 and 90, not 95",
    );
    assert_validation(
        db.put_scaling_policy("OnDemandPolicy", policy(1, 5, 70.0)),
        "Auto scaling applies to tables in PROVISIONED billing mode",
    );
    // Capacity is brought within the bounds at once.
    let described = db
        .put_scaling_policy("Policy", policy(10, 50, 70.0))
        .unwrap();
    assert_eq!(described.provisioned_throughput.read_capacity_units, 10);
    drop(db);
    let db = open(dir.path());
    assert_eq!(
        db.describe_scaling_policy("Policy").unwrap(),
        policy(10, 50, 70.0)
    );
}

#[test]
fn throttled_tables_of_a_batch_come_back_unprocessed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(500.0);
    let db = open_limited(dir.path(), clock.clone());
    table(&db, "Busy", 1, 1);
    table(&db, "Free", 100, 100);
    // Spend Busy's one unit of each kind.
    try_put(&db, "Busy", item_kb("spent", 1)).unwrap();
    get(&db, "Busy", item(&[("id", s("spent"))]));
    let writes = |t: &str| {
        (
            t.to_owned(),
            vec![
                WriteRequest::PutRequest {
                    item: item_kb("w", 1),
                },
                WriteRequest::DeleteRequest {
                    key: item(&[("id", s("spent"))]),
                },
            ],
        )
    };
    let out = db
        .batch_write_item(BatchWriteItemInput {
            request_items: [writes("Busy"), writes("Free")].into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.unprocessed_items.len(), 1);
    assert_eq!(out.unprocessed_items["Busy"], writes("Busy").1);
    assert!(get(&db, "Free", item(&[("id", s("w"))])).is_some());
    assert_eq!(get(&db, "Busy", item(&[("id", s("w"))])), None);
    // Every table refused: the request fails.
    let refused = db.batch_write_item(BatchWriteItemInput {
        request_items: [writes("Busy")].into(),
        ..Default::default()
    });
    assert_eq!(
        refused.unwrap_err().error_type(),
        "ProvisionedThroughputExceededException"
    );
    let keys = |t: &str| {
        (
            t.to_owned(),
            KeysAndAttributes {
                keys: vec![item(&[("id", s("w"))])],
                ..Default::default()
            },
        )
    };
    let out = db
        .batch_get_item(BatchGetItemInput {
            request_items: [keys("Busy"), keys("Free")].into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.unprocessed_keys["Busy"], keys("Busy").1);
    assert_eq!(out.responses["Free"].len(), 1);
    assert!(!out.responses.contains_key("Busy"));
}

#[test]
fn a_condition_check_charges_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_limited(dir.path(), FixedClock::at(70.0));
    table(&db, "Checked", 100, 100);
    table(&db, "Written", 100, 100);
    try_put(&db, "Checked", item_kb("c", 1)).unwrap();
    db.transact_write_items(TransactWriteItemsInput {
        transact_items: vec![
            TransactWriteItem::ConditionCheck(ConditionCheck {
                table_name: "Checked".into(),
                key: item(&[("id", s("c"))]),
                condition_expression: "attribute_exists(id)".into(),
                ..Default::default()
            }),
            TransactWriteItem::Put(Put {
                table_name: "Written".into(),
                item: item_kb("w", 1),
                ..Default::default()
            }),
        ],
        ..Default::default()
    })
    .unwrap();
    let counters: std::collections::HashMap<_, _> = db.capacity_counters().into_iter().collect();
    // 1 unit for the put before, 2 for the transactional check.
    assert_eq!(counters["Checked"].write_units, 3.0);
    assert_eq!(counters["Written"].write_units, 2.0);
}
