"""End-to-end test of the `tessera` binary with clients nobody here wrote: boto3 and the AWS CLI.

Starts `tessera serve` on an ephemeral port with a temporary data directory, then
1. walks a beginner's AWS CLI path: create-table (StudentData, partition key StudentID, sort
   key CourseName, on-demand), put-item, get-item, query by partition key;
2. drives boto3 through tables, items, conditions, updates, Query, Scan, batches and
   transactions, checking DynamoDB's answers and error codes;
3. writes to a table provisioned at 5 WCU faster than that: the server throttles, boto3's
   retries complete every write, and the table holds exactly what was acknowledged;
4. sets a table's auto scaling through boto3's application-autoscaling client.

Usage: python e2e.py <path to the tessera binary>
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def start_server(binary, data_dir):
    proc = subprocess.Popen(
        [binary, "serve", "--data-dir", data_dir, "--http", "127.0.0.1:0", "--binary", "127.0.0.1:0",
         "--durability", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    match = re.search(r"http://([0-9.]+:[0-9]+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, f"http://{match.group(1)}"


def aws_cli(endpoint, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    out = subprocess.run(["aws", "--endpoint-url", endpoint, "dynamodb", *args, "--output", "json"],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
    return json.loads(out.stdout) if out.stdout.strip() else {}


def cli_walkthrough(endpoint):
    created = aws_cli(endpoint, "create-table", "--table-name", "StudentData",
                      "--attribute-definitions", "AttributeName=StudentID,AttributeType=S",
                      "AttributeName=CourseName,AttributeType=S",
                      "--key-schema", "AttributeName=StudentID,KeyType=HASH",
                      "AttributeName=CourseName,KeyType=RANGE",
                      "--billing-mode", "PAY_PER_REQUEST")
    assert created["TableDescription"]["TableName"] == "StudentData"
    aws_cli(endpoint, "put-item", "--table-name", "StudentData", "--item",
            '{"StudentID": {"S": "S001"}, "CourseName": {"S": "Math"}, "Grade": {"N": "91"}}')
    aws_cli(endpoint, "put-item", "--table-name", "StudentData", "--item",
            '{"StudentID": {"S": "S001"}, "CourseName": {"S": "Physics"}, "Grade": {"N": "84"}}')
    got = aws_cli(endpoint, "get-item", "--table-name", "StudentData", "--key",
                  '{"StudentID": {"S": "S001"}, "CourseName": {"S": "Math"}}')
    assert got["Item"]["Grade"] == {"N": "91"}, got
    queried = aws_cli(endpoint, "query", "--table-name", "StudentData",
                      "--key-condition-expression", "StudentID = :id",
                      "--expression-attribute-values", '{":id": {"S": "S001"}}')
    assert queried["Count"] == 2, queried
    assert [i["CourseName"]["S"] for i in queried["Items"]] == ["Math", "Physics"]
    print("aws cli: create-table, put-item, get-item, query: ok")


def boto3_checks(endpoint):
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    client.create_table(
        TableName="Orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName="Orders")
    assert "Orders" in client.list_tables()["TableNames"]
    for i in range(10):
        client.put_item(TableName="Orders", Item={"pk": {"S": "c1"}, "sk": {"N": str(i)},
                                                  "total": {"N": f"{i}.5"}, "tags": {"SS": ["a", "b"]},
                                                  "blob": {"B": b"\x00\x01"}})
    item = client.get_item(TableName="Orders", Key={"pk": {"S": "c1"}, "sk": {"N": "3"}})["Item"]
    assert item["total"] == {"N": "3.5"} and item["blob"] == {"B": b"\x00\x01"}, item
    consumed = client.get_item(TableName="Orders", Key={"pk": {"S": "c1"}, "sk": {"N": "1"}},
                               ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert consumed == {"TableName": "Orders", "CapacityUnits": 0.5}, consumed
    try:
        client.put_item(TableName="Orders", Item={"pk": {"S": "c1"}, "sk": {"N": "3"}},
                        ConditionExpression="attribute_not_exists(pk)")
        raise AssertionError("condition should fail")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response
    updated = client.update_item(TableName="Orders", Key={"pk": {"S": "c1"}, "sk": {"N": "3"}},
                                 UpdateExpression="SET #t = #t + :d", ExpressionAttributeNames={"#t": "total"},
                                 ExpressionAttributeValues={":d": {"N": "1"}},
                                 ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"total": {"N": "4.5"}}, updated
    page = client.query(TableName="Orders", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                        ExpressionAttributeValues={":p": {"S": "c1"}, ":a": {"N": "2"}, ":b": {"N": "8"}},
                        ScanIndexForward=False, Limit=3)
    assert [i["sk"]["N"] for i in page["Items"]] == ["8", "7", "6"] and "LastEvaluatedKey" in page, page
    paginator = client.get_paginator("scan")
    scanned = sum(p["Count"] for p in paginator.paginate(TableName="Orders", PaginationConfig={"PageSize": 4}))
    assert scanned == 10, scanned
    client.batch_write_item(RequestItems={"Orders": [
        {"DeleteRequest": {"Key": {"pk": {"S": "c1"}, "sk": {"N": "0"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "c2"}, "sk": {"N": "1"}}}},
    ]})
    got = client.batch_get_item(RequestItems={"Orders": {"Keys": [
        {"pk": {"S": "c1"}, "sk": {"N": "0"}}, {"pk": {"S": "c2"}, "sk": {"N": "1"}}]}})
    assert len(got["Responses"]["Orders"]) == 1, got
    try:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Orders", "Item": {"pk": {"S": "c3"}, "sk": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "Orders", "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
        raise AssertionError("transaction should be cancelled")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "TransactionCanceledException", e.response
        codes = [r["Code"] for r in e.response["CancellationReasons"]]
        assert codes == ["None", "ConditionalCheckFailed"], codes
    try:
        client.get_item(TableName="Missing", Key={"pk": {"S": "x"}})
        raise AssertionError("missing table should fail")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ResourceNotFoundException", e.response
    try:
        client.get_item(TableName="Orders", Key={"pk": {"S": "x"}})
        raise AssertionError("bad key should fail")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationException"
        assert e.response["Error"]["Message"] == "The provided key element does not match the schema"
    described = client.describe_table(TableName="Orders")["Table"]
    assert described["ItemCount"] == 10 and described["TableStatus"] == "ACTIVE", described
    client.delete_table(TableName="Orders")
    assert "Orders" not in client.list_tables()["TableNames"]
    print("boto3: tables, items, conditions, updates, query, scan, batches, transactions, errors: ok")


def boto3_throttling(endpoint):
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(retries={"mode": "legacy", "max_attempts": 30}))
    client.create_table(TableName="Throttled",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    started = time.monotonic()
    for i in range(30):
        client.put_item(TableName="Throttled", Item={"id": {"S": f"k{i}"}, "p": {"S": "x" * 900}})
    elapsed = time.monotonic() - started
    metrics = urllib.request.urlopen(endpoint + "/metrics").read().decode()
    throttled = re.search(r'tessera_throttled_write_requests_total\{table="Throttled"\} (\d+)', metrics)
    assert throttled and int(throttled.group(1)) > 0, "no write was throttled"
    # 30 one-unit writes at 5 units a second, one second's worth banked at the start.
    assert elapsed > 4.0, f"30 writes at 5 WCU took only {elapsed:.1f} s"
    keys = set()
    for page in client.get_paginator("scan").paginate(TableName="Throttled"):
        keys.update(item["id"]["S"] for item in page["Items"])
    assert keys == {f"k{i}" for i in range(30)}, sorted(keys)
    print(f"boto3: throttled at 5 WCU ({throttled.group(1)} refusals), every retried write landed "
          f"({elapsed:.1f} s): ok")


def boto3_autoscaling(endpoint):
    keys = dict(endpoint_url=endpoint, region_name="us-east-1",
                aws_access_key_id="x", aws_secret_access_key="x")
    ddb = boto3.client("dynamodb", **keys)
    aas = boto3.client("application-autoscaling", **keys)
    ddb.create_table(TableName="Scaled",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    resource = dict(ServiceNamespace="dynamodb", ResourceId="table/Scaled",
                    ScalableDimension="dynamodb:table:WriteCapacityUnits")
    aas.register_scalable_target(MinCapacity=5, MaxCapacity=50, **resource)
    aas.put_scaling_policy(
        PolicyName="ScaledWrites", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}},
        **resource)
    # The policy brings the capacity within its bounds at once.
    capacity = ddb.describe_table(TableName="Scaled")["Table"]["ProvisionedThroughput"]
    assert capacity["WriteCapacityUnits"] == 5, capacity
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb",
                                             ResourceId="table/Scaled")["ScalingPolicies"]
    got = [(p["PolicyName"], p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]) for p in policies]
    assert got == [("ScaledWrites", 70.0)], got
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb",
                                            ResourceIds=["table/Scaled"])["ScalableTargets"]
    assert [(t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [(5, 50)], targets
    try:
        aas.put_scaling_policy(PolicyName="p", PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0},
                               ServiceNamespace="dynamodb", ResourceId="table/Scaled",
                               ScalableDimension="dynamodb:table:ReadCapacityUnits")
        raise AssertionError("a policy without a scalable target was accepted")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ObjectNotFoundException", e.response
    aas.deregister_scalable_target(**resource)
    assert aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"] == []
    print("boto3 application-autoscaling: register, put policy, describe, deregister: ok")


def main():
    binary = sys.argv[1]
    data_dir = tempfile.mkdtemp(prefix="tessera-e2e-")
    proc, endpoint = start_server(binary, data_dir)
    try:
        cli_walkthrough(endpoint)
        boto3_checks(endpoint)
        boto3_throttling(endpoint)
        boto3_autoscaling(endpoint)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    assert code == 0, f"server exited with {code} after SIGTERM"
    print("server stopped cleanly on SIGTERM")


if __name__ == "__main__":
    main()
