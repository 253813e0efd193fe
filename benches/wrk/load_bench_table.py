# Creates table "Bench" on the server at argv[1] (default http://127.0.0.1:8123) and loads 1,000 items of ~1 KB (k0..k999).
import boto3, sys
ep = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123"
c = boto3.client("dynamodb", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
c.create_table(TableName="Bench", KeySchema=[{"AttributeName":"id","KeyType":"HASH"}], AttributeDefinitions=[{"AttributeName":"id","AttributeType":"S"}], BillingMode="PAY_PER_REQUEST")
c.get_waiter("table_exists").wait(TableName="Bench", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
for i in range(1000):
    c.put_item(TableName="Bench", Item={"id":{"S":f"k{i}"}, "payload":{"S":"x"*1000}})
print("loaded", c.scan(TableName="Bench", Select="COUNT")["Count"], "items; k500 present:", "Item" in c.get_item(TableName="Bench", Key={"id":{"S":"k500"}}))
