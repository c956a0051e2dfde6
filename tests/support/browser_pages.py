"""Helpers for browser tests of the polished UI: a signed-in page at a given viewport (laptop
1280×800 or phone 390×844) and layout measurements (nothing wider than the viewport, no text
clipped by its own box)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from playwright.sync_api import Page

PASSWORD = "correct horse battery staple 42"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 30_000


def create_user(app_server, org: str) -> str:  # type: ignore[no-untyped-def]
    email = f"owner-{uuid.uuid4().hex[:8]}@{org.lower()}.test"
    subprocess.run(
        [str(Path(sys.executable).parent / "traceiq"), "admin", "create-user", "--email", email, "--password",
         PASSWORD, "--org", f"{org} {uuid.uuid4().hex[:4]}"],
        cwd=app_server.dir, env=app_server.env, check=True, capture_output=True, timeout=120,
    )
    return email


def new_owner(app_server, session, org: str):  # type: ignore[no-untyped-def]
    """A user made by `traceiq admin create-user` (owner of a new organization), as the app's own
    command makes them: (email, User, Organization), loaded in `session`."""
    from sqlmodel import select

    from traceiq_app.models import Organization, OrganizationMember, User

    email = create_user(app_server, org)
    user = session.exec(select(User).where(User.email == email)).one()
    member = session.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one()
    organization = session.get(Organization, member.org_id)
    assert organization is not None
    return email, user, organization


def signed_in_page(app_server, chromium, org: str, viewport: dict[str, int] = LAPTOP,  # type: ignore[no-untyped-def]
                   email: str | None = None, color_scheme: str = "light") -> Page:
    email = email or create_user(app_server, org)
    context = chromium.new_context(viewport=viewport, base_url=app_server.url, color_scheme=color_scheme)
    response = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                    headers={"Origin": app_server.url})
    assert response.ok, response.text()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def overflow(page: Page) -> dict[str, object]:
    """How far the page scrolls sideways, and visible elements reaching past the viewport's right
    edge (ignoring those inside a sideways-scrolling container, which is the intended way to show
    a wide table)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const scrolls = (el) => {
                for (let p = el.parentElement; p; p = p.parentElement) {
                    const ox = getComputedStyle(p).overflowX;
                    if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && p !== document.body
                        && p !== document.documentElement) return true;
                }
                return false;
            };
            const wide = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                if (box.right > width + 1 && !scrolls(el)) {
                    wide.push(`${el.tagName.toLowerCase()}.${(el.className && el.className.baseVal === undefined
                        ? String(el.className) : '').split(' ').slice(0, 2).join('.')} right=${Math.round(box.right)}`
                        + ` text=${(el.innerText || '').slice(0, 30)}`);
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
        }"""
    )


def assert_fits(page: Page) -> None:
    found = overflow(page)
    assert found["scrollWidth"] <= found["width"] and not found["wide"], found  # type: ignore[operator]
