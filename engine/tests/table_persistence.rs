//! Tables across a close and reopen of the `Database`: every setting survives and
//! ItemCount/TableSizeBytes are recounted exactly; and a deleted table's space is reclaimed
//! by compaction without touching other tables.

mod common_items;

use common_items::*;
use tessera_engine::api::*;
use tessera_engine::Database;

const CLOCK_SECONDS: f64 = 1_700_000_000.5;

fn list(db: &Database) -> Vec<String> {
    db.list_tables(ListTablesInput::default())
        .unwrap()
        .table_names
}

#[test]
fn database_reopen_keeps_tables_with_all_settings_and_recounts_items() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at(CLOCK_SECONDS);
    let before = {
        let db = open_with_clock(dir.path(), clock.clone());
        let mut rich = composite_with(&["l", "g"]);
        rich.table_name = "Rich".into();
        rich.billing_mode = Some(BillingMode::Provisioned);
        rich.provisioned_throughput = Some(throughput(5, 6));
        rich.stream_specification = Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewImage),
        });
        rich.local_secondary_indexes = Some(vec![lsi("by_l", "pk", "l", include(&["a", "b"]))]);
        let mut g = gsi("by_g", "g", all());
        g.provisioned_throughput = Some(throughput(2, 3));
        rich.global_secondary_indexes = Some(vec![g]);
        rich.deletion_protection_enabled = Some(true);
        db.create_table(rich).unwrap();
        clock.set(CLOCK_SECONDS + 5.0);
        db.update_table(UpdateTableInput {
            table_name: "Rich".into(),
            provisioned_throughput: Some(throughput(9, 1)),
            ..Default::default()
        })
        .unwrap();
        create_id_table(&db, "Plain");
        for i in 0..50 {
            let k = format!("k{i:02}");
            put(
                &db,
                "Rich",
                item(&[("pk", s(&k)), ("sk", s("x")), ("v", n(&i.to_string()))]),
            );
            put(
                &db,
                "Plain",
                item(&[("id", s(&k)), ("blob", b(&[i as u8; 100]))]),
            );
        }
        for i in 0..10 {
            delete(&db, "Plain", item(&[("id", s(&format!("k{i:02}")))]));
        }
        let before = [describe(&db, "Rich"), describe(&db, "Plain")];
        assert_eq!((before[0].item_count, before[1].item_count), (50, 40));
        db.close().unwrap();
        before
    };
    let db = open_with_clock(dir.path(), clock);
    assert_eq!(list(&db), ["Plain", "Rich"]);
    assert_eq!([describe(&db, "Rich"), describe(&db, "Plain")], before);
    // Counting carries on from the recounted totals.
    put(&db, "Plain", item(&[("id", s("new")), ("v", s("xyz"))]));
    let t = describe(&db, "Plain");
    assert_eq!(t.item_count, 41);
    assert_eq!(
        t.table_size_bytes,
        before[1].table_size_bytes + 2 + 3 + 1 + 3
    );
}

#[test]
fn database_reopen_then_write_before_describe_counts_exactly() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path());
        create_id_table(&db, "Counted");
        for i in 0..30 {
            put(&db, "Counted", item(&[("id", s(&format!("{i:02}")))]));
        }
    }
    let db = open(dir.path());
    // Writes made before the first DescribeTable after a reopen still count once.
    put(&db, "Counted", item(&[("id", s("xx"))]));
    delete(&db, "Counted", item(&[("id", s("00"))]));
    put(&db, "Counted", item(&[("id", s("01")), ("v", s("abcd"))]));
    let t = describe(&db, "Counted");
    assert_eq!(t.item_count, 30);
    // 30 items of "id" + 2 chars, plus "v" + "abcd" on one of them.
    assert_eq!(t.table_size_bytes, 30 * 4 + 5);
}

#[test]
fn delete_table_space_is_reclaimed_by_compaction_and_other_tables_survive() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path()).memtable_size_bytes(256 << 10);
    cfg.wal_segment_size_bytes = 128 << 10;
    let db = Database::open(cfg).unwrap();
    create_id_table(&db, "Big");
    create_id_table(&db, "Keep");
    let payload = vec![0x5au8; 10 * 1024];
    for i in 0..200 {
        put(
            &db,
            "Big",
            item(&[("id", s(&format!("big{i:03}"))), ("p", b(&payload))]),
        );
    }
    let kept: Vec<_> = (0..20)
        .map(|i| item(&[("id", s(&format!("keep{i:02}"))), ("v", n(&i.to_string()))]))
        .collect();
    for it in &kept {
        put(&db, "Keep", it.clone());
    }
    db.store().compact().unwrap();
    let full = db.store().stats().disk_bytes;
    assert!(
        full > 2_000_000,
        "only {full} bytes on disk after writing 2 MB"
    );
    db.delete_table(DeleteTableInput {
        table_name: "Big".into(),
    })
    .unwrap();
    db.store().compact().unwrap();
    let reclaimed = db.store().stats().disk_bytes;
    assert!(
        reclaimed < full / 5,
        "{reclaimed} bytes remain of {full} after deleting the table"
    );
    for it in &kept {
        let key = item(&[("id", it["id"].clone())]);
        assert_eq!(get(&db, "Keep", key).as_ref(), Some(it));
    }
    assert_eq!(describe(&db, "Keep").item_count, 20);
}
