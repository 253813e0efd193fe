-- wrk script: GetItem of random keys k0..k999 from table "Bench" (see load_bench_table.py).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
request = function()
  local body = string.format('{"TableName":"Bench","Key":{"id":{"S":"k%d"}}}', math.random(0, 999))
  return wrk.format(nil, nil, nil, body)
end
