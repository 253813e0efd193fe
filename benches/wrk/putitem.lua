-- wrk script: PutItem of ~1 KB items under random keys into table "Bench".
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
-- Tessera accepts any credentials; dynalite and DynamoDB Local refuse requests without a
-- SigV4-shaped Authorization header (neither checks the signature).
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"
local payload = string.rep("x", 1000)
request = function()
  local body = string.format('{"TableName":"Bench","Item":{"id":{"S":"p%d"},"payload":{"S":"%s"}}}', math.random(0, 100000000), payload)
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
