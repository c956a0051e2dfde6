"""Analytics: what the project dashboard, the test health table, failure clusters, quarantine,
run comparison and the analytics reports read and compute.

- `facts`: one `result_facts` row per final test result, written when a run closes (native and
  imported runs alike): the only table the charts and metrics read (never the step table).
- `signatures`: error category + masked message + step type + locator -> a cluster signature.
- `metrics`: flip rate, flaky-on-retry rate, health score, percentiles, duration regression.
- `health`, `trends`, `clusters`, `compare`: the read models behind the pages and /api/v1.
- `quarantine`: flaky states with hysteresis, quarantines (owner, reason, expiry, audited),
  and which failures of a run are forgiven because their test is quarantined.
- `reports`: CSV / XLSX exports.

May call: platform (audit, permissions' Principal), catalog (read-only: suites, test cases),
runs (read-only: runs and test results), notifications (`publish` of test.flaky_detected). runs calls `facts.record_run` and
`quarantine.forgiven` when it closes a run: the one way runs reaches analytics."""
