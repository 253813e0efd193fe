-- wrk script: PutItem of ~1 KB items under random keys into table "Bench".
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
local payload = string.rep("x", 1000)
request = function()
  local body = string.format('{"TableName":"Bench","Item":{"id":{"S":"p%d"},"payload":{"S":"%s"}}}', math.random(0, 100000000), payload)
  return wrk.format(nil, nil, nil, body)
end
