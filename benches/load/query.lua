-- wrk script: POST the GraphQL request body in BODY (JSON) with the token in TOKEN.
-- Prints p50/p90/p99 like summary.lua. Used by read.sh for side-by-side figures.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = os.getenv("BODY")

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
