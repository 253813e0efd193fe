//! The part of AWS Application Auto Scaling that configures DynamoDB tables, served on the
//! HTTP port (`X-Amz-Target: AnyScaleFrontendService.<Op>`, JSON 1.1), so
//! `aws application-autoscaling --endpoint-url ...` and boto3's `application-autoscaling`
//! client set Tessera's auto scaling (docs/capacity.md).
//!
//! A scalable target (RegisterScalableTarget: a table's read or write capacity, with its
//! minimum and maximum) and a target-tracking policy on it (PutScalingPolicy: the target
//! utilization) together make the engine's [`TargetTracking`] policy for that dimension. The
//! engine keeps the policy (it survives restarts); this module keeps the registrations and
//! policy names until then.

use crate::state::ServerState;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use tessera_engine::api::{AutoScaling, DescribeTableInput, ItemApi, TargetTracking};

/// The target prefix of Application Auto Scaling's operations.
pub const TARGET_PREFIX: &str = "AnyScaleFrontendService.";
/// Its content type.
pub const JSON_1_1: &str = "application/x-amz-json-1.1";

const READ: &str = "dynamodb:table:ReadCapacityUnits";
const WRITE: &str = "dynamodb:table:WriteCapacityUnits";

/// A registration: minimum and maximum capacity, and the policy's name once one is put.
#[derive(Debug, Clone, Default)]
struct Target {
    min: i64,
    max: i64,
    policy_name: Option<String>,
}

/// Scalable targets registered since the server started, by (table, dimension).
#[derive(Debug, Default)]
pub struct Registry {
    targets: Mutex<HashMap<(String, String), Target>>,
}

/// An error answer: HTTP status and JSON body.
type Answer = (u16, Vec<u8>);

fn error(kind: &str, message: impl Into<String>) -> Answer {
    let body = json!({"__type": kind, "message": message.into()});
    (400, body.to_string().into_bytes())
}

fn ok(body: Value) -> Answer {
    (200, body.to_string().into_bytes())
}

/// Answers one Application Auto Scaling request (blocking: it may change a table).
pub fn handle(state: &ServerState, operation: &str, body: &[u8]) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error("SerializationException", "Malformed JSON");
    };
    match operation {
        "RegisterScalableTarget" => register(state, &request),
        "PutScalingPolicy" => put_policy(state, &request),
        "DescribeScalableTargets" => describe_targets(state, &request),
        "DescribeScalingPolicies" => describe_policies(state, &request),
        "DeregisterScalableTarget" => remove(state, &request, true),
        "DeleteScalingPolicy" => remove(state, &request, false),
        _ => error(
            "UnknownOperationException",
            format!("Tessera does not serve Application Auto Scaling's {operation}"),
        ),
    }
}

/// The table and dimension a request names, checked.
fn resource(state: &ServerState, request: &Value) -> Result<(String, String), Answer> {
    if request["ServiceNamespace"].as_str() != Some("dynamodb") {
        return Err(error(
            "ValidationException",
            "Only the dynamodb service namespace is served",
        ));
    }
    let table = request["ResourceId"]
        .as_str()
        .and_then(|r| r.strip_prefix("table/"))
        .filter(|t| !t.contains('/'))
        .ok_or_else(|| {
            error(
                "ValidationException",
                "ResourceId must name a table: table/<name> (indexes do not exist yet)",
            )
        })?;
    let dimension = request["ScalableDimension"].as_str().unwrap_or_default();
    if dimension != READ && dimension != WRITE {
        return Err(error(
            "ValidationException",
            format!("ScalableDimension must be {READ} or {WRITE}"),
        ));
    }
    let exists = state.db.describe_table(DescribeTableInput {
        table_name: table.to_owned(),
    });
    if exists.is_err() {
        return Err(error(
            "ObjectNotFoundException",
            format!("Table {table} does not exist"),
        ));
    }
    Ok((table.to_owned(), dimension.to_owned()))
}

fn registry(state: &ServerState) -> std::sync::MutexGuard<'_, HashMap<(String, String), Target>> {
    state
        .autoscaling
        .targets
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// The engine's policy for `dimension` of `table`, replaced by `policy`.
fn set_policy(
    state: &ServerState,
    table: &str,
    dimension: &str,
    policy: Option<TargetTracking>,
) -> Result<(), Answer> {
    let mut scaling = state
        .db
        .describe_scaling_policy(table)
        .map_err(|e| error(e.error_type(), e.message()))?;
    if dimension == READ {
        scaling.read = policy;
    } else {
        scaling.write = policy;
    }
    state
        .db
        .put_scaling_policy(table, scaling)
        .map(|_| ())
        .map_err(|e| error(e.error_type(), e.message()))
}

fn current(scaling: &AutoScaling, dimension: &str) -> Option<TargetTracking> {
    if dimension == READ {
        scaling.read
    } else {
        scaling.write
    }
}

fn register(state: &ServerState, request: &Value) -> Answer {
    let (table, dimension) = match resource(state, request) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let (Some(min), Some(max)) = (
        request["MinCapacity"].as_i64(),
        request["MaxCapacity"].as_i64(),
    ) else {
        return error(
            "ValidationException",
            "MinCapacity and MaxCapacity are required",
        );
    };
    if min < 1 || max < min {
        return error(
            "ValidationException",
            format!("MinCapacity ({min}) must be at least 1 and at most MaxCapacity ({max})"),
        );
    }
    // A policy already in place takes the new bounds at once.
    let existing = state.db.describe_scaling_policy(&table).ok();
    if let Some(p) = existing.as_ref().and_then(|s| current(s, &dimension)) {
        let updated = TargetTracking {
            min_capacity: min,
            max_capacity: max,
            ..p
        };
        if let Err(e) = set_policy(state, &table, &dimension, Some(updated)) {
            return e;
        }
    }
    let mut targets = registry(state);
    let target = targets.entry((table, dimension)).or_default();
    target.min = min;
    target.max = max;
    ok(json!({}))
}

fn put_policy(state: &ServerState, request: &Value) -> Answer {
    let (table, dimension) = match resource(state, request) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request["PolicyType"].as_str() != Some("TargetTrackingScaling") {
        return error(
            "ValidationException",
            "Only TargetTrackingScaling policies are served",
        );
    }
    let Some(target_value) =
        request["TargetTrackingScalingPolicyConfiguration"]["TargetValue"].as_f64()
    else {
        return error(
            "ValidationException",
            "TargetTrackingScalingPolicyConfiguration.TargetValue is required",
        );
    };
    let name = request["PolicyName"]
        .as_str()
        .unwrap_or("policy")
        .to_owned();
    let Some(target) = registry(state)
        .get(&(table.clone(), dimension.clone()))
        .cloned()
    else {
        return error(
            "ObjectNotFoundException",
            format!(
                "No scalable target registered for service namespace: dynamodb, resource ID: table/{table}, scalable dimension: {dimension}"
            ),
        );
    };
    let policy = TargetTracking {
        min_capacity: target.min,
        max_capacity: target.max,
        target_utilization: target_value,
    };
    if let Err(e) = set_policy(state, &table, &dimension, Some(policy)) {
        return e;
    }
    if let Some(t) = registry(state).get_mut(&(table.clone(), dimension)) {
        t.policy_name = Some(name.clone());
    }
    ok(json!({
        "PolicyARN": format!(
            "arn:aws:autoscaling:{}:000000000000:scalingPolicy:tessera:resource/dynamodb/table/{table}:policyName/{name}",
            state.region
        ),
        "Alarms": [],
    }))
}

/// Every (table, dimension, policy) with an engine policy, plus registrations without one.
fn targets(state: &ServerState, only: Option<&str>) -> Vec<(String, String, Target, Option<f64>)> {
    let registered = registry(state).clone();
    let mut out = Vec::new();
    for (table, _) in state.db.capacity_counters() {
        if only.is_some_and(|o| o != table) {
            continue;
        }
        let scaling = state.db.describe_scaling_policy(&table).unwrap_or_default();
        for dimension in [READ, WRITE] {
            let key = (table.clone(), dimension.to_owned());
            let policy = current(&scaling, dimension);
            let target = match (registered.get(&key), policy) {
                (Some(t), _) => t.clone(),
                (None, Some(p)) => Target {
                    min: p.min_capacity,
                    max: p.max_capacity,
                    policy_name: None,
                },
                (None, None) => continue,
            };
            out.push((
                table.clone(),
                dimension.to_owned(),
                target,
                policy.map(|p| p.target_utilization),
            ));
        }
    }
    out
}

fn only_table(request: &Value) -> Option<String> {
    request["ResourceId"]
        .as_str()
        .or_else(|| request["ResourceIds"][0].as_str())
        .and_then(|r| r.strip_prefix("table/"))
        .map(str::to_owned)
}

fn describe_targets(state: &ServerState, request: &Value) -> Answer {
    let only = only_table(request);
    let list: Vec<Value> = targets(state, only.as_deref())
        .into_iter()
        .map(|(table, dimension, t, _)| {
            json!({
                "ServiceNamespace": "dynamodb",
                "ResourceId": format!("table/{table}"),
                "ScalableDimension": dimension,
                "MinCapacity": t.min,
                "MaxCapacity": t.max,
            })
        })
        .collect();
    ok(json!({ "ScalableTargets": list }))
}

fn describe_policies(state: &ServerState, request: &Value) -> Answer {
    let only = only_table(request);
    let list: Vec<Value> = targets(state, only.as_deref())
        .into_iter()
        .filter_map(|(table, dimension, t, target)| {
            Some(json!({
                "PolicyName": t.policy_name.unwrap_or_else(|| format!("{table}-{dimension}")),
                "ServiceNamespace": "dynamodb",
                "ResourceId": format!("table/{table}"),
                "ScalableDimension": dimension,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": { "TargetValue": target? },
            }))
        })
        .collect();
    ok(json!({ "ScalingPolicies": list }))
}

fn remove(state: &ServerState, request: &Value, deregister: bool) -> Answer {
    let (table, dimension) = match resource(state, request) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Err(e) = set_policy(state, &table, &dimension, None) {
        return e;
    }
    let mut targets = registry(state);
    if deregister {
        targets.remove(&(table, dimension));
    } else if let Some(t) = targets.get_mut(&(table, dimension)) {
        t.policy_name = None;
    }
    ok(json!({}))
}
