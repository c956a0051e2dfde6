"""The editor's panel with an AI draft's dry run: one card per step with its screenshot."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.ai.draft_review import DraftReviewState as S


def _shot(row: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Step ", row["step"], size="2", weight="medium"),
                rx.code(row["action"], size="1"),
                rx.badge(row["status"], color_scheme=rx.cond(row["status"] == "passed", "green",
                                                             rx.cond(row["status"] == "failed", "red", "gray"))),
                spacing="2", align="center", wrap="wrap",
            ),
            rx.cond(row["url"] != "",
                    rx.link(rx.image(src=row["url"], alt="Screenshot after step " + row["step"], width="100%",
                                     loading="lazy", style={"border": f"1px solid {rx.color('gray', 5)}",
                                                            "borderRadius": "var(--radius-2)"}),
                            href=row["url"], is_external=True),
                    rx.text("No screenshot for this step.", size="1", color_scheme="gray")),
            rx.cond(row["error"] != "", rx.text(row["error"], size="1", color_scheme="red")),
            spacing="2", width="100%",
        ),
        custom_attrs={"data-dry-run-step": row["step"]},
        min_width="0",
    )


def draft_dry_run() -> rx.Component:
    return rx.cond(
        S.dry_status != "",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("sparkles", size=16),
                    rx.heading("Dry run of this AI draft", size="3"),
                    rx.badge(S.dry_status, color_scheme=rx.cond(S.dry_status == "passed", "green", "red")),
                    spacing="2", align="center",
                ),
                rx.text("What each generated step did when the draft was made. Check them before you rely on "
                        "this test; it stays a draft (tags draft, ai) until you change it.", size="2",
                        color_scheme="gray"),
                rx.grid(rx.foreach(S.shots, _shot), columns=rx.breakpoints(initial="1", sm="2"), spacing="3",
                        width="100%"),
                spacing="3", width="100%",
            ),
            id="draft-dry-run", width="100%",
        ),
    )
