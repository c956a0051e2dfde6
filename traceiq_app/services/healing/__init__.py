"""Healing: self-healing locators on the server. The project's mode (off / report / heal), the
fingerprint of each test step from its last passing run (`store`), what a run healed and the
proposals editors accept (a new test version, new locator first, old ones kept as fallbacks)
or reject (remembered, never proposed again) (`proposals`), locator advice for the editor
(`advice`).

May call: platform, catalog (test cases and their versions), ai (`rank.ranker_for`: a model ranks
near-tied candidates when the project enabled AI). Runs calls it from the worker."""
