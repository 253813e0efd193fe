-- wrk script: GetItem of random keys k0..k999 from table "Bench" (see load_bench_table.py).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
-- Tessera accepts any credentials; dynalite and DynamoDB Local refuse requests without a
-- SigV4-shaped Authorization header (neither checks the signature).
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"
request = function()
  local body = string.format('{"TableName":"Bench","Key":{"id":{"S":"k%d"}}}', math.random(0, 999))
  return wrk.format(nil, nil, nil, body)
end
-- Each wrk thread draws its own key sequence.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + id)
end
