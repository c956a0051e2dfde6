# mypy: disable-error-code="operator"
"""The run page's "Explain this failure" button and its answer (state/ai/explain.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.ai.explain import ExplainState as S


def explain_failure(result_id: Any) -> rx.Component:
    entry = S.explanations[result_id]
    return rx.vstack(
        rx.button(rx.icon("sparkles", size=14), "Explain this failure", size="1", variant="soft",
                  loading=S.busy.contains(result_id), on_click=S.explain(result_id),  # type: ignore[misc]
                  custom_attrs={"data-explain": result_id}),
        rx.cond(
            S.explanations.contains(result_id),
            rx.callout.root(
                rx.callout.icon(rx.icon("lightbulb", size=14)),
                rx.vstack(
                    rx.callout.text(rx.cond(entry["source"] == "llm", rx.badge("model", color_scheme="violet"),
                                            rx.badge("offline", color_scheme="gray")), " ", entry["summary"]),
                    rx.cond(entry["note"] != "", rx.text(entry["note"], size="1", color_scheme="gray",
                                                         custom_attrs={"data-explain-note": ""})),
                    spacing="1",
                ),
                color_scheme="violet", size="1", width="100%", custom_attrs={"data-explanation": entry["source"]},
            ),
        ),
        spacing="2", width="100%", align="start",
    )
