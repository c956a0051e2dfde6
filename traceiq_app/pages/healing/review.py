# mypy: disable-error-code="operator"
"""/projects/<id>/healing: healing mode and the healing proposals to review (accept → a new
test version, reject → remembered)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import choice, empty_state, error_callout, project_nav
from traceiq_app.components.layout import app_shell
from traceiq_app.services.healing.store import MODES
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.healing.review import FILTERS, HealingState

_DIFF = {"white_space": "pre-wrap", "word_break": "break-all", "font_size": "var(--font-size-1)",
         "padding": "0.3em 0.5em", "border_radius": "var(--radius-2)", "width": "100%", "margin": "0"}


def _mode() -> rx.Component:
    s = HealingState
    return rx.card(
        rx.vstack(
            rx.heading("Self-healing locators", size="4"),
            rx.text("When a step's element is gone (renamed id, changed classes, moved), TraceIQ finds the same "
                    "element again from its fingerprint of the last passing run. Off: nothing is recorded. Report "
                    "only: the step fails and a fix is proposed. Heal: the test goes on, shows passed (healed), "
                    "and a fix is proposed.", size="2"),
            rx.hstack(
                rx.text("Mode", as_="label", html_for="healing-mode", size="2", weight="medium"),
                rx.cond(s.can_admin,
                        choice(MODES, s.mode, HealingState.set_mode, label="Healing mode", id="healing-mode"),
                        rx.badge(s.mode, id="healing-mode", variant="soft")),
                align="center", spacing="3",
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _ai() -> rx.Component:
    s = HealingState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("AI assistance", size="4"),
                rx.spacer(),
                rx.cond(s.can_admin,
                        rx.hstack(rx.text("Use AI in this project", as_="label", html_for="ai-enabled", size="2"),
                                  rx.switch(id="ai-enabled", checked=s.ai_enabled,
                                            on_change=HealingState.set_ai_enabled), align="center")),
                width="100%", align="center", wrap="wrap",
            ),
            rx.cond(
                s.ai_off_reason != "",
                rx.callout(s.ai_off_reason, icon="info", color_scheme="gray", size="1", width="100%",
                           id="ai-off-reason"),
                rx.cond(s.can_write, rx.form(
                    rx.vstack(
                        rx.text("Generate a test from a description", as_="label", html_for="ai-description",
                                size="2", weight="medium"),
                        rx.text_area(id="ai-description", name="description", rows="3", width="100%",
                                     placeholder="Sign in as alice, add a book to the cart, expect 'Order placed'"),
                        rx.text("Start URL", as_="label", html_for="ai-start-url", size="2", weight="medium"),
                        rx.input(id="ai-start-url", name="start_url", placeholder="https://staging.example.com/",
                                 width="100%"),
                        rx.cond(s.generate_error != "", rx.text(s.generate_error, color_scheme="red", size="2",
                                                                 role="alert")),
                        rx.button(rx.icon("sparkles", size=16), "Generate draft", type="submit"),
                        spacing="2", width="100%",
                    ),
                    on_submit=HealingState.generate, width="100%",
                )),
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _proposal(row: Any) -> rx.Component:
    open_ = row["status"] == "open"
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(rx.text(row["test_name"], weight="bold", truncate=True, max_width="28em"),
                        href=row["test_href"]),
                rx.badge(row["status"], variant="soft",
                         color_scheme=rx.match(row["status"], ("open", "violet"), ("accepted", "green"),
                                               ("rejected", "gray"), "amber")),
                rx.badge(row["version"], variant="outline"),
                rx.spacer(),
                rx.text("score ", row["score"], size="1", color_scheme="gray"),
                rx.cond(row["ranked"] != "", rx.badge(rx.icon("sparkles", size=12), "picked by the model",
                                                      color_scheme="violet", variant="outline",
                                                      title="A near-tie the offline score refused; the language "
                                                            "model ranked the candidates", data_ranked="model")),
                rx.text(row["created"], size="1", color_scheme="gray"),
                rx.cond(row["run_href"] != "", rx.link("run", href=row["run_href"], size="1")),
                width="100%", align="center", wrap="wrap",
            ),
            rx.el.pre(row["from"], style={**_DIFF, "color": "var(--red-11)", "background": "var(--red-a3)"}),
            rx.el.pre(row["to"], style={**_DIFF, "color": "var(--green-11)", "background": "var(--green-a3)"}),
            rx.cond(open_ & HealingState.can_write,
                    rx.hstack(
                        rx.button(rx.icon("check", size=16), "Accept", size="2",
                                  on_click=HealingState.accept(row["id"]),
                                  aria_label="Accept the fix for " + row["test_name"]),
                        rx.button(rx.icon("x", size=16), "Reject", size="2", variant="soft", color_scheme="gray",
                                  on_click=HealingState.reject(row["id"]),
                                  aria_label="Reject the fix for " + row["test_name"]),
                        spacing="2",
                    )),
            spacing="2", width="100%",
        ),
        width="100%", data_proposal_status=row["status"],
    )


def _proposals() -> rx.Component:
    s = HealingState
    return rx.vstack(
        rx.hstack(
            rx.heading("Proposals", size="4"),
            rx.spacer(),
            rx.text("Show", as_="label", html_for="healing-filter", size="2"),
            choice(FILTERS, s.show, HealingState.set_filter, label="Show proposals", id="healing-filter"),
            width="100%", align="center",
        ),
        rx.cond(
            s.rows.length() > 0,
            rx.vstack(rx.foreach(s.rows, _proposal), spacing="3", width="100%"),
            empty_state("wand-sparkles", "No proposals here",
                        "When a run heals a broken locator, the fix waits here for review.",
                        "Set the mode above to Report or Heal, and run your tests to record fingerprints."),
        ),
        spacing="3", width="100%",
    )


def _advice_row(row: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(rx.text(row["test_name"], weight="bold", truncate=True, max_width="24em"),
                        href=row["test_href"]),
                rx.badge(row["step_label"], variant="outline"),
                rx.code(row["locator"], truncate=True, max_width="100%", size="1"),
                width="100%", align="center", wrap="wrap",
            ),
            rx.text(row["message"], size="2", color_scheme="amber"),
            rx.cond(
                row["suggestion"] != "",
                rx.hstack(
                    rx.text("Better: ", rx.code(row["suggestion"], size="1"), size="2"),
                    rx.spacer(),
                    rx.cond(HealingState.can_write,
                            rx.button(rx.icon("wand-sparkles", size=16), "Apply", size="1",
                                      on_click=HealingState.apply_advice(row["test_id"], row["step"], row["field"]),
                                      aria_label="Apply the better locator to " + row["test_name"] + " "
                                      + row["step_label"])),
                    width="100%", align="center", wrap="wrap",
                ),
                rx.text("Run the test once: its elements get fingerprinted and a better locator is proposed.",
                        size="1", color_scheme="gray"),
            ),
            spacing="2", width="100%",
        ),
        width="100%", data_advice=row["test_name"],
    )


def _advice() -> rx.Component:
    return rx.vstack(
        rx.heading("Locator advice", size="4"),
        rx.cond(
            HealingState.advice_rows.length() > 0,
            rx.vstack(rx.foreach(HealingState.advice_rows, _advice_row), spacing="2", width="100%"),
            rx.text("No brittle locators: no absolute XPath, nth-child chains, generated names or common-word "
                    "text locators in this project's tests.", size="2", color_scheme="gray"),
        ),
        spacing="3", width="100%",
    )


@rx.page(route="/projects/[project_id]/healing", title="Healing · TraceIQ",
         on_load=[AuthState.require_login, HealingState.load])
def healing_page() -> rx.Component:
    return app_shell(
        rx.cond(
            HealingState.error != "",
            rx.vstack(error_callout(HealingState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(HealingState.pid, HealingState.project_name, "healing"),
                _mode(),
                _proposals(),
                _advice(),
                _ai(),
                spacing="4", width="100%",
            ),
        ),
    )
