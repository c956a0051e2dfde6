"""Runs: starting, cancelling and rerunning runs (`control`), moving their tests through the RQ
queues (`orchestration`), executing one test in a worker (`execution`), recording results
(`results`), read models for the run pages (`views`), live events on Redis streams, the reaper
for lost workers and stuck runs, cron schedules, artifacts and their retention, and what a run's
browser may reach (`network_policy`: org + project allowlists, deny rules), and the events it
hands to notifications when runs end or schedules miss a tick (`notify_hooks`).

May call: platform, catalog (test definitions, environments and effective settings),
notifications (`publish` only) and healing (fingerprints and healed steps, from the worker).
Never calls accounts: callers pass an authorized `Principal`."""
