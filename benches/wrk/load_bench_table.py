# Creates table "Bench" on a server at 127.0.0.1:8123 and loads 1,000 items of ~1 KB (k0..k999).
import boto3, sys
c = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:8123", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
c.create_table(TableName="Bench", KeySchema=[{"AttributeName":"id","KeyType":"HASH"}], AttributeDefinitions=[{"AttributeName":"id","AttributeType":"S"}], BillingMode="PAY_PER_REQUEST")
for i in range(1000):
    c.put_item(TableName="Bench", Item={"id":{"S":f"k{i}"}, "payload":{"S":"x"*1000}})
print("loaded")
