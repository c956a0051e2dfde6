"""Manual testing: manual runs (a selection of manual test cases with an environment, a build
label, an optional milestone and an assignee per test), per-step results with optimistic
concurrency, outcomes derived from the steps (overridable with a reason), the run's activity
list, and attachments (screenshots pasted or uploaded; kept in the artifact storage).

May call: platform (storage, permissions), catalog (manual test cases, read-only), runs
(`live_events.publish` / `read_events_async`: the same Redis stream mechanism as automated runs)."""
