//! The control plane through the public `Database` API: CreateTable (key types, billing
//! modes, streams, secondary indexes; its validation is in `table_create_validation.rs`),
//! DescribeTable (fields, ARNs, the injected clock, exact ItemCount and TableSizeBytes),
//! ListTables pagination, UpdateTable and DeleteTable. Persistence and space reclaim are in
//! `table_persistence.rs`.

mod common_items;

use common_items::*;
use tessera_engine::api::*;
use tessera_engine::model::ScalarType;
use tessera_engine::{Database, DatabaseOptions};

const CLOCK_SECONDS: f64 = 1_700_000_000.5;

fn table_arn(name: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:000000000000:table/{name}")
}

// ---- CreateTable and DescribeTable ----

#[test]
fn create_table_hash_only_key_is_active_with_dynamodb_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with_clock(dir.path(), FixedClock::at(CLOCK_SECONDS));
    let created = db
        .create_table(hash_table("Users", "id", ScalarType::S))
        .unwrap()
        .table_description;
    assert_eq!(created.table_status, TableStatus::Active);
    let t = describe(&db, "Users");
    assert_eq!(t, created);
    assert_eq!(t.table_name, "Users");
    assert_eq!(t.table_arn, table_arn("Users"));
    assert_eq!(t.creation_date_time, CLOCK_SECONDS);
    assert_eq!(t.key_schema, keys(&[("id", KeyType::Hash)]));
    assert_eq!(t.attribute_definitions, defs(&["id"]));
    assert_eq!((t.item_count, t.table_size_bytes), (0, 0));
    assert!(!t.deletion_protection_enabled);
    assert_eq!(t.stream_specification, None);
    assert_eq!((t.latest_stream_arn, t.latest_stream_label), (None, None));
    assert_eq!(t.global_secondary_indexes, None);
    assert_eq!(t.local_secondary_indexes, None);
    // TableId is UUID-shaped: 8-4-4-4-12 lowercase hex digits.
    let parts: Vec<&str> = t.table_id.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(parts
        .iter()
        .all(|p| p.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))));
}

#[test]
fn create_table_number_and_binary_keys_store_items_by_those_types() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let t = db
        .create_table(composite_table(
            "Readings",
            ("sensor", ScalarType::N),
            ("at", ScalarType::B),
        ))
        .unwrap()
        .table_description;
    assert_eq!(
        t.attribute_definitions,
        [
            AttributeDefinition::new("sensor", ScalarType::N),
            AttributeDefinition::new("at", ScalarType::B)
        ]
    );
    let it = item(&[("sensor", n("7")), ("at", b(&[0, 1])), ("v", s("x"))]);
    put(&db, "Readings", it.clone());
    let key = item(&[("sensor", n("7.0")), ("at", b(&[0, 1]))]);
    assert_eq!(get(&db, "Readings", key), Some(it));
}

#[test]
fn create_table_provisioned_reports_throughput_without_billing_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = hash_table("Prov", "id", ScalarType::S);
    input.billing_mode = None;
    input.provisioned_throughput = Some(throughput(5, 7));
    db.create_table(input).unwrap();
    let t = describe(&db, "Prov");
    let p = &t.provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (5, 7));
    assert_eq!(p.number_of_decreases_today, 0);
    assert_eq!(
        (p.last_increase_date_time, p.last_decrease_date_time),
        (None, None)
    );
    assert_eq!(t.billing_mode_summary, None);
}

#[test]
fn create_table_explicit_provisioned_mode_reports_billing_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = hash_table("Prov", "id", ScalarType::S);
    input.billing_mode = Some(BillingMode::Provisioned);
    input.provisioned_throughput = Some(throughput(1, 1));
    db.create_table(input).unwrap();
    let summary = describe(&db, "Prov").billing_mode_summary.unwrap();
    assert_eq!(summary.billing_mode, BillingMode::Provisioned);
    assert_eq!(summary.last_update_to_pay_per_request_date_time, None);
}

#[test]
fn create_table_pay_per_request_reports_zero_throughput_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with_clock(dir.path(), FixedClock::at(CLOCK_SECONDS));
    create_id_table(&db, "OnDemand");
    let t = describe(&db, "OnDemand");
    let p = &t.provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (0, 0));
    assert_eq!(
        t.billing_mode_summary,
        Some(BillingModeSummary {
            billing_mode: BillingMode::PayPerRequest,
            last_update_to_pay_per_request_date_time: Some(CLOCK_SECONDS),
        })
    );
}

#[test]
fn create_table_stream_enabled_reports_label_and_arn_from_creation_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_with_clock(dir.path(), FixedClock::at(CLOCK_SECONDS));
    let mut input = hash_table("Streamed", "id", ScalarType::S);
    let spec = StreamSpecification {
        stream_enabled: true,
        stream_view_type: Some(StreamViewType::NewAndOldImages),
    };
    input.stream_specification = Some(spec.clone());
    db.create_table(input).unwrap();
    let t = describe(&db, "Streamed");
    assert_eq!(t.stream_specification, Some(spec));
    assert_eq!(
        t.latest_stream_label.as_deref(),
        Some("2023-11-14T22:13:20.500")
    );
    assert_eq!(
        t.latest_stream_arn,
        Some(format!(
            "{}/stream/2023-11-14T22:13:20.500",
            table_arn("Streamed")
        ))
    );
}

#[test]
fn create_table_stream_disabled_reports_no_stream() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = hash_table("NoStream", "id", ScalarType::S);
    input.stream_specification = Some(StreamSpecification {
        stream_enabled: false,
        stream_view_type: None,
    });
    db.create_table(input).unwrap();
    let t = describe(&db, "NoStream");
    assert_eq!(t.stream_specification, None);
    assert_eq!(t.latest_stream_arn, None);
}

#[test]
fn create_table_secondary_indexes_are_described_with_projections_and_arns() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = composite_with(&["placed", "status"]);
    input.table_name = "Orders".into();
    input.local_secondary_indexes = Some(vec![lsi(
        "by_placed",
        "pk",
        "placed",
        Projection {
            projection_type: Some(ProjectionType::KeysOnly),
            non_key_attributes: None,
        },
    )]);
    let mut by_status = gsi("by_status", "status", include(&["total", "note"]));
    by_status.key_schema = keys(&[("status", KeyType::Hash), ("placed", KeyType::Range)]);
    input.global_secondary_indexes = Some(vec![by_status.clone(), gsi("by_sk", "sk", all())]);
    db.create_table(input.clone()).unwrap();
    let t = describe(&db, "Orders");
    assert_eq!(t.attribute_definitions, input.attribute_definitions);
    let gsis = t.global_secondary_indexes.unwrap();
    assert_eq!(gsis.len(), 2);
    let g = &gsis[0];
    assert_eq!(g.index_name, "by_status");
    assert_eq!(g.key_schema, by_status.key_schema);
    assert_eq!(g.projection, include(&["total", "note"]));
    assert_eq!(
        g.index_arn,
        format!("{}/index/by_status", table_arn("Orders"))
    );
    assert_eq!(g.index_status, Some(TableStatus::Active));
    let p = g.provisioned_throughput.as_ref().unwrap();
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (0, 0));
    assert_eq!(
        (gsis[1].index_name.as_str(), &gsis[1].projection),
        ("by_sk", &all())
    );
    let lsis = t.local_secondary_indexes.unwrap();
    assert_eq!(lsis.len(), 1);
    let l = &lsis[0];
    assert_eq!(l.index_name, "by_placed");
    assert_eq!(
        l.key_schema,
        keys(&[("pk", KeyType::Hash), ("placed", KeyType::Range)])
    );
    assert_eq!(l.projection.projection_type, Some(ProjectionType::KeysOnly));
    assert_eq!(
        l.index_arn,
        format!("{}/index/by_placed", table_arn("Orders"))
    );
    assert_eq!((l.index_status, &l.provisioned_throughput), (None, &None));
}

#[test]
fn create_table_provisioned_gsi_reports_its_own_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = composite_with(&["g"]);
    input.billing_mode = None;
    input.provisioned_throughput = Some(throughput(5, 5));
    let mut g = gsi("gsi1", "g", all());
    g.provisioned_throughput = Some(throughput(3, 4));
    input.global_secondary_indexes = Some(vec![g]);
    db.create_table(input).unwrap();
    let gsis = describe(&db, "Tbl").global_secondary_indexes.unwrap();
    let p = gsis[0].provisioned_throughput.as_ref().unwrap();
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (3, 4));
}

#[test]
fn create_table_existing_name_is_resource_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Dup");
    assert_error(
        db.create_table(hash_table("Dup", "other", ScalarType::N)),
        "ResourceInUseException",
        "Table already exists: Dup",
    );
    assert_eq!(
        describe(&db, "Dup").key_schema,
        keys(&[("id", KeyType::Hash)])
    );
}

#[test]
fn describe_table_arn_uses_configured_region_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let options = DatabaseOptions {
        region: "eu-west-2".into(),
        account_id: "123456789012".into(),
        ..DatabaseOptions::default()
    };
    let db = Database::open_with(config(dir.path()), options).unwrap();
    create_id_table(&db, "Arn");
    assert_eq!(
        describe(&db, "Arn").table_arn,
        "arn:aws:dynamodb:eu-west-2:123456789012:table/Arn"
    );
}

#[test]
fn describe_table_distinct_tables_have_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(CLOCK_SECONDS);
    let db = open_with_clock(dir.path(), clock.clone());
    create_id_table(&db, "One");
    create_id_table(&db, "Two");
    let first = describe(&db, "One").table_id;
    assert_ne!(first, describe(&db, "Two").table_id);
    db.delete_table(DeleteTableInput {
        table_name: "One".into(),
    })
    .unwrap();
    clock.set(CLOCK_SECONDS + 60.0);
    create_id_table(&db, "One");
    let again = describe(&db, "One");
    assert_ne!(again.table_id, first);
    assert_eq!(again.creation_date_time, CLOCK_SECONDS + 60.0);
}

#[test]
fn describe_table_item_count_and_size_follow_puts_overwrites_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Sized");
    let totals = |db: &Database| {
        let t = describe(db, "Sized");
        (t.item_count, t.table_size_bytes)
    };
    // "id" (2) + "a" (1) + "v" (1) + "xyz" (3) = 7 bytes.
    put(&db, "Sized", item(&[("id", s("a")), ("v", s("xyz"))]));
    assert_eq!(totals(&db), (1, 7));
    // Overwrite: the old 7 bytes go, 2 + 1 + 1 + 2 = 6 arrive.
    put(&db, "Sized", item(&[("id", s("a")), ("v", s("xy"))]));
    assert_eq!(totals(&db), (1, 6));
    // "id" + "bb" + "n" + 12345 (1 + ceil(5/2) = 4) = 9 bytes.
    put(&db, "Sized", item(&[("id", s("bb")), ("n", n("12345"))]));
    assert_eq!(totals(&db), (2, 15));
    delete(&db, "Sized", item(&[("id", s("a"))]));
    assert_eq!(totals(&db), (1, 9));
    delete(&db, "Sized", item(&[("id", s("missing"))]));
    assert_eq!(totals(&db), (1, 9));
    delete(&db, "Sized", item(&[("id", s("bb"))]));
    assert_eq!(totals(&db), (0, 0));
}

#[test]
fn describe_table_missing_table_names_it_in_resource_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    assert_error(
        db.describe_table(DescribeTableInput {
            table_name: "Nope".into(),
        }),
        "ResourceNotFoundException",
        "Requested resource not found: Table: Nope not found",
    );
}

#[test]
fn describe_and_delete_table_invalid_names_are_rejected_before_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let cases = [
        (
            "",
            "The parameter 'TableName' is required but was not present in the request",
        ),
        (
            "ab",
            "TableName must be at least 3 characters long and at most 255 characters long",
        ),
        (
            "a;",
            "TableName must be at least 3 characters long and at most 255 characters long",
        ),
        (
            "abc;",
            "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
    ];
    for (name, message) in cases {
        let table_name = name.to_owned();
        assert_validation(
            db.describe_table(DescribeTableInput {
                table_name: table_name.clone(),
            }),
            message,
        );
        assert_validation(db.delete_table(DeleteTableInput { table_name }), message);
    }
    let long = "a".repeat(256);
    assert_validation(
        db.describe_table(DescribeTableInput { table_name: long }),
        "TableName must be at least 3 characters long and at most 255 characters long",
    );
}

// ---- ListTables ----

fn list(db: &Database, start: Option<&str>, limit: Option<i64>) -> ListTablesOutput {
    db.list_tables(ListTablesInput {
        exclusive_start_table_name: start.map(str::to_owned),
        limit,
    })
    .unwrap()
}

#[test]
fn list_tables_names_come_back_in_byte_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    assert_eq!(list(&db, None, None), ListTablesOutput::default());
    for name in ["beta", "Zeta", "alpha", "a-1", "alpha.2"] {
        create_id_table(&db, name);
    }
    let out = list(&db, None, None);
    assert_eq!(out.table_names, ["Zeta", "a-1", "alpha", "alpha.2", "beta"]);
    assert_eq!(out.last_evaluated_table_name, None);
}

#[test]
fn list_tables_pages_with_limit_and_exclusive_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for name in ["t-1", "t-2", "t-3", "t-4", "t-5"] {
        create_id_table(&db, name);
    }
    let page = list(&db, None, Some(2));
    assert_eq!(page.table_names, ["t-1", "t-2"]);
    assert_eq!(page.last_evaluated_table_name.as_deref(), Some("t-2"));
    let page = list(&db, Some("t-2"), Some(2));
    assert_eq!(page.table_names, ["t-3", "t-4"]);
    assert_eq!(page.last_evaluated_table_name.as_deref(), Some("t-4"));
    // The last page holds exactly Limit names: nothing remains, so no LastEvaluatedTableName.
    let page = list(&db, Some("t-3"), Some(2));
    assert_eq!(page.table_names, ["t-4", "t-5"]);
    assert_eq!(page.last_evaluated_table_name, None);
    // The start name need not exist.
    let page = list(&db, Some("t-25"), None);
    assert_eq!(page.table_names, ["t-3", "t-4", "t-5"]);
    assert!(list(&db, Some("zzz"), None).table_names.is_empty());
}

#[test]
fn list_tables_limit_out_of_range_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let with_limit = |limit| ListTablesInput {
        limit: Some(limit),
        ..Default::default()
    };
    assert_validation(
        db.list_tables(with_limit(0)),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert_validation(
        db.list_tables(with_limit(101)),
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    db.list_tables(with_limit(100)).unwrap();
    assert_validation_set(
        db.list_tables(ListTablesInput {
            exclusive_start_table_name: Some(String::new()),
            limit: None,
        }),
        &[
            "Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ],
    );
}

// ---- UpdateTable ----

fn provisioned(db: &Database, name: &str, read: i64, write: i64) {
    let mut input = hash_table(name, "id", ScalarType::S);
    input.billing_mode = None;
    input.provisioned_throughput = Some(throughput(read, write));
    db.create_table(input).unwrap();
}

fn update(name: &str) -> UpdateTableInput {
    UpdateTableInput {
        table_name: name.to_owned(),
        ..Default::default()
    }
}

#[test]
fn update_table_throughput_changes_are_recorded_with_clock_times() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(CLOCK_SECONDS);
    let db = open_with_clock(dir.path(), clock.clone());
    provisioned(&db, "Cap", 5, 5);
    clock.set(CLOCK_SECONDS + 10.0);
    let out = db
        .update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(10, 5)),
            ..update("Cap")
        })
        .unwrap()
        .table_description;
    assert_eq!(out, describe(&db, "Cap"));
    let p = out.provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (10, 5));
    assert_eq!(p.last_increase_date_time, Some(CLOCK_SECONDS + 10.0));
    assert_eq!(
        (p.last_decrease_date_time, p.number_of_decreases_today),
        (None, 0)
    );
    clock.set(CLOCK_SECONDS + 20.0);
    db.update_table(UpdateTableInput {
        provisioned_throughput: Some(throughput(10, 2)),
        ..update("Cap")
    })
    .unwrap();
    let p = describe(&db, "Cap").provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (10, 2));
    assert_eq!(p.last_increase_date_time, Some(CLOCK_SECONDS + 10.0));
    assert_eq!(p.last_decrease_date_time, Some(CLOCK_SECONDS + 20.0));
    assert_eq!(p.number_of_decreases_today, 1);
}

#[test]
fn update_table_unchanged_throughput_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    provisioned(&db, "Same", 3, 4);
    assert_validation(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(3, 4)),
            ..update("Same")
        }),
        "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 3. Requested ReadCapacityUnits: 3. Current WriteCapacityUnits provisioned for the table: 4. Requested WriteCapacityUnits: 4. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
    );
}

#[test]
fn update_table_switches_to_on_demand_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(CLOCK_SECONDS);
    let db = open_with_clock(dir.path(), clock.clone());
    provisioned(&db, "Switch", 5, 5);
    clock.set(CLOCK_SECONDS + 1.0);
    db.update_table(UpdateTableInput {
        billing_mode: Some(BillingMode::PayPerRequest),
        ..update("Switch")
    })
    .unwrap();
    let t = describe(&db, "Switch");
    let p = &t.provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (0, 0));
    assert_eq!(
        t.billing_mode_summary,
        Some(BillingModeSummary {
            billing_mode: BillingMode::PayPerRequest,
            last_update_to_pay_per_request_date_time: Some(CLOCK_SECONDS + 1.0),
        })
    );
    assert_validation(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(1, 1)),
            ..update("Switch")
        }),
        &format!("{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
    );
    assert_validation(
        db.update_table(UpdateTableInput {
            billing_mode: Some(BillingMode::Provisioned),
            ..update("Switch")
        }),
        &format!(
            "{INVALID}ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
        ),
    );
    db.update_table(UpdateTableInput {
        billing_mode: Some(BillingMode::Provisioned),
        provisioned_throughput: Some(throughput(7, 8)),
        ..update("Switch")
    })
    .unwrap();
    let t = describe(&db, "Switch");
    let p = &t.provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (7, 8));
    assert_eq!(
        t.billing_mode_summary.map(|s| s.billing_mode),
        Some(BillingMode::Provisioned)
    );
}

#[test]
fn update_table_invalid_requests_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    provisioned(&db, "Upd", 5, 5);
    assert_validation(
        db.update_table(update("Upd")),
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
    );
    assert_validation(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(5, 0)),
            ..update("Upd")
        }),
        "1 validation error detected: Value '0' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert_validation(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(1_000_000_000_001, 5)),
            ..update("Upd")
        }),
        "Given value 1000000000001 for ReadCapacityUnits is out of bounds",
    );
    assert_validation(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(1, 1)),
            ..update("ab")
        }),
        "TableName must be at least 3 characters long and at most 255 characters long",
    );
    assert_error(
        db.update_table(UpdateTableInput {
            provisioned_throughput: Some(throughput(1, 1)),
            ..update("Missing")
        }),
        "ResourceNotFoundException",
        "Requested resource not found: Table: Missing not found",
    );
    let p = describe(&db, "Upd").provisioned_throughput;
    assert_eq!((p.read_capacity_units, p.write_capacity_units), (5, 5));
}

#[test]
fn update_table_deletion_protection_blocks_delete_table_until_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Guarded");
    let out = db
        .update_table(UpdateTableInput {
            deletion_protection_enabled: Some(true),
            ..update("Guarded")
        })
        .unwrap();
    assert!(out.table_description.deletion_protection_enabled);
    let delete = || {
        db.delete_table(DeleteTableInput {
            table_name: "Guarded".into(),
        })
    };
    assert_validation(
        delete(),
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    );
    assert!(describe(&db, "Guarded").deletion_protection_enabled);
    db.update_table(UpdateTableInput {
        deletion_protection_enabled: Some(false),
        ..update("Guarded")
    })
    .unwrap();
    delete().unwrap();
}

#[test]
fn create_table_with_deletion_protection_refuses_delete_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let mut input = hash_table("Protected", "id", ScalarType::S);
    input.deletion_protection_enabled = Some(true);
    db.create_table(input).unwrap();
    assert_validation(
        db.delete_table(DeleteTableInput {
            table_name: "Protected".into(),
        }),
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    );
    assert_eq!(list(&db, None, None).table_names, ["Protected"]);
}

// ---- DeleteTable ----

#[test]
fn delete_table_returns_deleting_description_and_removes_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Gone");
    create_id_table(&db, "Stays");
    put(&db, "Gone", item(&[("id", s("a")), ("v", s("xyz"))]));
    let before = describe(&db, "Gone");
    let out = db
        .delete_table(DeleteTableInput {
            table_name: "Gone".into(),
        })
        .unwrap()
        .table_description;
    assert_eq!(out.table_status, TableStatus::Deleting);
    assert_eq!(
        TableDescription {
            table_status: TableStatus::Active,
            ..out
        },
        before
    );
    assert_eq!(list(&db, None, None).table_names, ["Stays"]);
    assert_error(
        db.describe_table(DescribeTableInput {
            table_name: "Gone".into(),
        }),
        "ResourceNotFoundException",
        "Requested resource not found: Table: Gone not found",
    );
    assert_error(
        db.delete_table(DeleteTableInput {
            table_name: "Gone".into(),
        }),
        "ResourceNotFoundException",
        "Requested resource not found: Table: Gone not found",
    );
}

#[test]
fn delete_table_item_operations_then_fail_with_resource_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Gone");
    let key = item(&[("id", s("a"))]);
    put(&db, "Gone", key.clone());
    db.delete_table(DeleteTableInput {
        table_name: "Gone".into(),
    })
    .unwrap();
    let table_name = "Gone".to_owned();
    assert_not_found(db.put_item(PutItemInput {
        table_name: table_name.clone(),
        item: key.clone(),
        ..Default::default()
    }));
    assert_not_found(db.get_item(GetItemInput {
        table_name: table_name.clone(),
        key: key.clone(),
        ..Default::default()
    }));
    assert_not_found(db.delete_item(DeleteItemInput {
        table_name,
        key,
        ..Default::default()
    }));
}

#[test]
fn delete_table_recreated_name_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    create_id_table(&db, "Again");
    for i in 0..20 {
        put(
            &db,
            "Again",
            item(&[("id", s(&format!("k{i}"))), ("v", n("1"))]),
        );
    }
    db.delete_table(DeleteTableInput {
        table_name: "Again".into(),
    })
    .unwrap();
    create_id_table(&db, "Again");
    let t = describe(&db, "Again");
    assert_eq!((t.item_count, t.table_size_bytes), (0, 0));
    for i in 0..20 {
        assert_eq!(
            get(&db, "Again", item(&[("id", s(&format!("k{i}")))])),
            None
        );
    }
    let scanned = db
        .scan(ScanInput {
            table_name: "Again".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(scanned.count, 0);
}
