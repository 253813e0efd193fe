//! The one dispatcher both front ends call: a decoded request in, the engine's answer out.

use crate::wire::{Request, Response};
use tessera_engine::api::{ApiResult, ItemApi};

/// Runs `request` against a layer, the engine or the cache (blocking: call it from a
/// blocking-capable thread).
pub fn call(db: &dyn ItemApi, request: Request) -> ApiResult<Response> {
    Ok(match request {
        Request::CreateTable(i) => Response::CreateTable(db.create_table(i)?),
        Request::DescribeTable(i) => Response::DescribeTable(db.describe_table(i)?),
        Request::ListTables(i) => Response::ListTables(db.list_tables(i)?),
        Request::UpdateTable(i) => Response::UpdateTable(db.update_table(i)?),
        Request::DeleteTable(i) => Response::DeleteTable(db.delete_table(i)?),
        Request::PutItem(i) => Response::PutItem(db.put_item(i)?),
        Request::GetItem(i) => Response::GetItem(db.get_item(i)?),
        Request::UpdateItem(i) => Response::UpdateItem(db.update_item(i)?),
        Request::DeleteItem(i) => Response::DeleteItem(db.delete_item(i)?),
        Request::Query(i) => Response::Query(db.query(i)?),
        Request::Scan(i) => Response::Scan(db.scan(i)?),
        Request::BatchGetItem(i) => Response::BatchGetItem(db.batch_get_item(i)?),
        Request::BatchWriteItem(i) => Response::BatchWriteItem(db.batch_write_item(i)?),
        Request::TransactWriteItems(i) => Response::TransactWriteItems(db.transact_write_items(i)?),
        Request::TransactGetItems(i) => Response::TransactGetItems(db.transact_get_items(i)?),
    })
}

/// Whether `request` may run on a network thread instead of the blocking pool: a single-key
/// read, which never waits for a lock or an fsync (a cold page costs one disk read, and the
/// thread hand-off saved pays for that in the common, cached case).
pub fn runs_inline(request: &Request) -> bool {
    matches!(request, Request::GetItem(_))
}
