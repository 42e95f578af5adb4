-- wrk script: the hostile query of issue 8 (40 aliases of a 100-report page with every
-- result and node), sent in turn with each of the tokens in TOKENS (comma-separated), so
-- the connections act as that many clients. Counts answers that are refusals.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local parts = {}
for i = 0, 39 do
  parts[#parts + 1] = "a" .. i .. ": reports(first: 100) { edges { node { results { nodes { actual } } } } }"
end
wrk.body = '{"query":"{ ' .. table.concat(parts, " ") .. ' }"}'
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS"), "[^,]+") do tokens[#tokens + 1] = t end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] })
end
local refused, other = 0, 0
response = function(status, headers, body)
  if string.find(body, "BAD_USER_INPUT", 1, true) then refused = refused + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("heavy: requests %d, body bytes %d, socket errors %d\n", summary.requests, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("heavy: refusal latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
