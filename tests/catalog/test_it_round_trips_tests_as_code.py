"""Tests as code with the CLI against the running app: `traceiq pull` writes the project's
folders, tests and environments as YAML (secret names, never values); pull -> push -> pull gives
no diff byte for byte; `push --dry-run` shows the plan and changes nothing; a push renames by id
(an update, not delete + create), creates new files' tests, keeps what the folder no longer holds
unless --prune; invalid files are refused with located problems, all or nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from traceiq_app.db import get_engine
from traceiq_app.models import Suite, TestCase, TestCaseVersion

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app")]

BIN = Path(sys.executable).parent
SECRET_VALUE = "hunter2-very-secret"


def _seed() -> tuple[str, str, str]:
    """A project with nested folders, two same-named tests, an environment with a secret; an
    owner's API token (write scope). Returns (slug, token, project id)."""
    from tests.factories import (
        add_org_member,
        make_environment,
        make_org,
        make_project,
        make_suite,
        make_test_case,
        make_user,
    )
    from traceiq_app.models import OrgRole
    from traceiq_app.services.accounts.tokens import create_token
    from traceiq_app.services.platform.secrets_crypto import encrypt_secrets

    tag = uuid.uuid4().hex[:6]
    with Session(get_engine(), expire_on_commit=False) as s:
        org = make_org(s, f"Code {tag}", slug=f"code-{tag}")
        user = make_user(s, f"owner-{tag}@code.test")
        add_org_member(s, org, user, OrgRole.owner)
        project = make_project(s, org, "Shop", slug=f"shop-{tag}", owner=user)
        checkout = make_suite(s, project, "Checkout", settings={"step_timeout_ms": 1500})
        cards = make_suite(s, project, "Cards & Wallets", parent=checkout)
        make_test_case(s, project, "Pay by card", suite=cards, tags=["smoke", "pay"], steps=[
            {"action": "goto", "url": "/pay"},
            {"action": "fill", "target": {"css": "#card"}, "value": "{{CARD}}"},
            {"action": "click", "target": [{"role": "button", "name": "Pay"}, {"css": "#pay"}], "name": "pay\nnow"}])
        make_test_case(s, project, "Pay by card", suite=cards)
        make_test_case(s, project, "Home", options={"base_url": "https://shop.example.test", "timeout_ms": 20000})
        env = make_environment(s, project, "staging", variables={"B": "2", "A": "1"})
        env.secrets_encrypted, env.secret_names = encrypt_secrets({"CARD": SECRET_VALUE}), ["CARD"]
        s.add(env)
        plain, _row = create_token(s, user=user, org_id=org.id, name="ci", scopes=["write"])
        s.commit()
        return project.slug, plain, str(project.id)


def _cli(app_server, token: str, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**app_server.env, "TRACEIQ_SERVER": app_server.url, "TRACEIQ_TOKEN": token}
    return subprocess.run([str(BIN / "traceiq"), *args], env=env, capture_output=True, text=True, timeout=180)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_it_round_trips_tests_as_code_through_the_cli(app_server, app_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    slug, token, project_id = _seed()
    repo = tmp_path / "repo"

    pulled = _cli(app_server, token, "pull", "--project", slug, str(repo))
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    first = _snapshot(repo)
    assert sorted(first) == ["_environments.yaml", "checkout/_suite.yaml", "checkout/cards-wallets/_suite.yaml",
                             "checkout/cards-wallets/pay-by-card-2.yaml", "checkout/cards-wallets/pay-by-card.yaml",
                             "home.yaml"]
    assert all(SECRET_VALUE.encode() not in body for body in first.values())
    envs = first["_environments.yaml"].decode()
    assert "secrets:\n  - CARD\n" in envs and "variables:\n    A: '1'\n    B: '2'\n" in envs
    card = first["checkout/cards-wallets/pay-by-card.yaml"].decode()
    assert card.startswith("id: ") and "\nname: Pay by card\npriority: medium\ntags:\n- smoke\n- pay\nsteps:\n" in card
    assert "- action: click\n  name: |-\n    pay\n    now\n  target:\n" in card

    # pull -> push -> pull: nothing to change, no diff (byte for byte).
    pushed = _cli(app_server, token, "push", "--project", slug, str(repo))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "no changes" in pushed.stdout
    again = tmp_path / "again"
    assert _cli(app_server, token, "pull", "--project", slug, str(again)).returncode == 0
    assert _snapshot(again) == first

    # Edits: rename a test (same id), change a step, add a test, move a test, delete a file.
    home = repo / "home.yaml"
    (repo / "checkout" / "home-page.yaml").write_text(home.read_text().replace("name: Home\n", "name: Home page\n"))
    home.unlink()
    pay = repo / "checkout" / "cards-wallets" / "pay-by-card.yaml"
    pay.write_text(pay.read_text().replace("url: /pay", "url: /checkout/pay"))
    (repo / "checkout" / "cards-wallets" / "pay-by-card-2.yaml").unlink()
    (repo / "search").mkdir()
    (repo / "search" / "finds-shoes.yaml").write_text(
        "name: Finds shoes\ntags: [search]\nsteps:\n- action: goto\n  url: /search?q=shoes\n")

    before = _snapshot(repo)
    dry = _cli(app_server, token, "push", "--project", slug, str(repo), "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "+ create suite search" in dry.stdout and "+ create test search/finds-shoes.yaml" in dry.stdout
    assert "~ update test checkout/home-page.yaml (new version 2: name changed; moved from (top))" in dry.stdout
    assert "~ update test checkout/cards-wallets/pay-by-card.yaml (new version 2: 1 step changed)" in dry.stdout
    assert "keep test checkout/cards-wallets/pay-by-card-2.yaml" in dry.stdout
    assert "dry run: 2 to create, 2 to change, 0 to delete; nothing changed" in dry.stdout
    unchanged = tmp_path / "unchanged"
    assert _cli(app_server, token, "pull", "--project", slug, str(unchanged)).returncode == 0
    assert _snapshot(unchanged) == first and _snapshot(repo) == before

    applied = _cli(app_server, token, "push", "--project", slug, str(repo))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "applied: 2 create, 2 change, 0 delete" in applied.stdout
    with Session(get_engine()) as s:
        cases = {c.name: c for c in s.exec(select(TestCase).where(
            col(TestCase.project_id) == uuid.UUID(project_id), col(TestCase.deleted_at).is_(None))).all()}
        assert set(cases) == {"Home page", "Pay by card", "Finds shoes"}  # the kept copy is still "Pay by card"
        assert cases["Home page"].version == 2  # renamed in place: same row, a new version
        versions = s.exec(select(TestCaseVersion).where(TestCaseVersion.test_case_id == cases["Home page"].id)).all()
        assert sorted(v.version for v in versions) == [1, 2]

    # The kept test comes back on pull; --prune then deletes what the folder does not hold.
    assert _cli(app_server, token, "pull", "--project", slug, str(repo)).returncode == 0
    after = _snapshot(repo)
    assert "checkout/cards-wallets/pay-by-card-2.yaml" in after and "search/finds-shoes.yaml" in after
    assert after["search/finds-shoes.yaml"].decode().startswith("id: ")
    assert _cli(app_server, token, "push", "--project", slug, str(repo)).stdout.strip().endswith(
        "no changes: the project already matches the folder")
    (repo / "checkout" / "cards-wallets" / "pay-by-card-2.yaml").unlink()
    for path in (repo / "search").iterdir():
        path.unlink()
    (repo / "search").rmdir()
    pruned = _cli(app_server, token, "push", "--project", slug, str(repo), "--prune")
    assert pruned.returncode == 0, pruned.stdout + pruned.stderr
    assert "- delete test checkout/cards-wallets/pay-by-card-2.yaml" in pruned.stdout
    assert "- delete suite search" in pruned.stdout and "- delete test search/finds-shoes.yaml" in pruned.stdout
    final = tmp_path / "final"
    assert _cli(app_server, token, "pull", "--project", slug, str(final)).returncode == 0
    assert _snapshot(final) == _snapshot(repo)
    with Session(get_engine()) as s:
        live = s.exec(select(Suite.name).where(col(Suite.project_id) == uuid.UUID(project_id),
                                               col(Suite.deleted_at).is_(None))).all()
        assert sorted(live) == ["Cards & Wallets", "Checkout"]


def test_it_refuses_invalid_files_all_or_nothing(app_server, app_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    slug, token, _project_id = _seed()
    repo = tmp_path / "repo"
    assert _cli(app_server, token, "pull", "--project", slug, str(repo)).returncode == 0
    first = _snapshot(repo)
    (repo / "new-good.yaml").write_text("name: Good\nsteps:\n- action: goto\n  url: /\n")
    (repo / "broken.yaml").write_text("name: Broken\nsteps:\n- action: goto\n  url: [unclosed\n")
    (repo / "bad-step.yaml").write_text("name: Bad step\nsteps:\n- action: goto\n  url: /\n- action: clik\n")
    refused = _cli(app_server, token, "push", "--project", slug, str(repo))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "broken.yaml: line 5, column 1: invalid YAML" in refused.stderr
    assert "bad-step.yaml: Step 2 (clik): unknown action 'clik' (did you mean 'click'?)" in refused.stderr
    for name in ("broken.yaml", "bad-step.yaml", "new-good.yaml"):
        (repo / name).unlink()
    check = tmp_path / "check"
    assert _cli(app_server, token, "pull", "--project", slug, str(check)).returncode == 0
    assert _snapshot(check) == first  # nothing was created, not even the good file's test

    bad_token = _cli(app_server, "tiq_not_a_token", "pull", "--project", slug, str(check))
    assert bad_token.returncode == 2 and len(bad_token.stderr.strip().splitlines()) == 1
    assert "token" in bad_token.stderr and "Traceback" not in bad_token.stderr
