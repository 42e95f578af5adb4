-- wrk script: POST a report { summary } query with a token.
-- REPORT_ID and TOKEN come from the environment (see run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"query":"{ report(id: \\"' .. os.getenv("REPORT_ID") .. '\\") { summary { total pass fail warn skip notApplicable error } } }"}'

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
