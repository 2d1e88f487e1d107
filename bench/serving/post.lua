-- wrk script of bench/serving: POSTs one JSON body, read once from the file named by $WRK_BODY,
-- to the URL given on the command line, and prints a machine-readable summary at the end.
--
--   WRK_BODY=/tmp/single.json wrk -t2 -c32 -d20s --latency -s bench/serving/post.lua http://127.0.0.1:8000/predict
--
-- The last line of stdout is `WRK_JSON {...}` with requests, duration (µs), bytes, the error
-- counts (connect, read, write, timeout, status = responses outside 2xx/3xx) and latency
-- percentiles in µs.

local path = os.getenv("WRK_BODY")
if path == nil or path == "" then
  error("set WRK_BODY to a file holding the JSON request body")
end
local f = assert(io.open(path, "rb"), "cannot open WRK_BODY file " .. path)
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({ 50, 75, 90, 99, 99.9 }) do
    p[#p + 1] = string.format('"%s":%d', tostring(q), latency:percentile(q))
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.stdev, latency.max, table.concat(p, ",")))
end
