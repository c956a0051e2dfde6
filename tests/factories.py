"""Row factories for tests: `from tests.factories import make_personas, make_project, ...`.

Every factory takes an open `sqlmodel.Session`, adds the row(s), flushes (so ids and
constraint errors surface at the call) and returns the row; committing is the caller's
choice. Defaults are deterministic and readable; pass keywords to override.

The cast used across the test suite (`make_personas`):
  alice   - owner of org "Acme" and of its project "Web shop"
  bob     - member of "Acme", editor on "Web shop" (alice's teammate)
  charlie - owner of another org, "Globex", with no access to Acme
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from traceiq_app.models import (
    Environment,
    ExecutionSettings,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    ProjectRole,
    Run,
    RunStatus,
    RunTrigger,
    Suite,
    TestCase,
    TestResult,
    TestResultStatus,
    User,
    utcnow,
)

# A tiny valid native test (see traceiq_app/engine/model.py).
DEFAULT_STEPS: list[dict[str, Any]] = [
    {"action": "goto", "url": "/"},
    {"action": "assert_title", "expected": "Home", "match": "contains"},
]

# Not a real argon2 hash: factories never need to verify passwords.
FAKE_PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$ZmFrZXNhbHQ$ZmFrZWhhc2g"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def make_org(session: Session, name: str = "Acme", *, slug: str | None = None) -> Organization:
    org = Organization(name=name, slug=slug or slugify(name))
    session.add(org)
    session.flush()
    return org


def make_user(
    session: Session,
    email: str = "alice@acme.test",
    *,
    display_name: str | None = None,
    password_hash: str | None = FAKE_PASSWORD_HASH,
    is_active: bool = True,
    verified: bool = True,
) -> User:
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0].title(),
        password_hash=password_hash,
        is_active=is_active,
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    session.flush()
    return user


def add_org_member(
    session: Session, org: Organization, user: User, role: OrgRole = OrgRole.member
) -> OrganizationMember:
    member = OrganizationMember(org_id=org.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    return member


def add_project_member(
    session: Session, project: Project, user: User, role: ProjectRole = ProjectRole.viewer
) -> ProjectMember:
    member = ProjectMember(project_id=project.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    return member


def make_project(
    session: Session,
    org: Organization,
    name: str = "Web shop",
    *,
    slug: str | None = None,
    owner: User | None = None,
    settings: ExecutionSettings | dict[str, Any] | None = None,
    allowed_hosts: list[str] | None = None,
) -> Project:
    """A project; `owner` also gets an owner ProjectMember row."""
    if isinstance(settings, ExecutionSettings):
        settings = settings.to_json()
    project = Project(
        org_id=org.id,
        name=name,
        slug=slug or slugify(name),
        settings=settings or {"base_url": "https://shop.example.test"},
        allowed_hosts=allowed_hosts or [],
    )
    session.add(project)
    session.flush()
    if owner is not None:
        add_project_member(session, project, owner, ProjectRole.owner)
    return project


def make_suite(
    session: Session,
    project: Project,
    name: str = "Checkout",
    *,
    parent: Suite | None = None,
    position: int = 0,
    settings: dict[str, Any] | None = None,
) -> Suite:
    suite = Suite(
        project_id=project.id,
        parent_id=parent.id if parent else None,
        name=name,
        position=position,
        settings=settings or {},
    )
    session.add(suite)
    session.flush()
    return suite


def make_test_case(
    session: Session,
    project: Project,
    name: str = "Sign in",
    *,
    suite: Suite | None = None,
    steps: list[dict[str, Any]] | None = None,
    tags: list[str] | None = None,
    author: User | None = None,
    options: dict[str, Any] | None = None,
) -> TestCase:
    """A test case at version 1, with its version-1 history row."""
    case = TestCase(
        project_id=project.id,
        suite_id=suite.id if suite else None,
        name=name,
        steps=steps or list(DEFAULT_STEPS),
        tags=tags or [],
        options=options or {},
        created_by=author.id if author else None,
    )
    session.add(case)
    session.flush()
    session.add(case.version_row(author.id if author else None))
    session.flush()
    return case


def make_environment(
    session: Session,
    project: Project,
    name: str = "staging",
    *,
    base_url: str | None = "https://staging.shop.example.test",
    variables: dict[str, str] | None = None,
) -> Environment:
    env = Environment(project_id=project.id, name=name, base_url=base_url, variables=variables or {})
    session.add(env)
    session.flush()
    return env


def make_run(
    session: Session,
    project: Project,
    *,
    trigger: RunTrigger = RunTrigger.ui,
    user: User | None = None,
    status: RunStatus = RunStatus.queued,
    environment: Environment | None = None,
    **fields: Any,
) -> Run:
    run = Run(
        project_id=project.id,
        trigger=trigger,
        triggered_by_user_id=user.id if user else None,
        status=status,
        environment_id=environment.id if environment else None,
        **fields,
    )
    session.add(run)
    session.flush()
    return run


def make_test_result(
    session: Session,
    run: Run,
    case: TestCase,
    *,
    status: TestResultStatus = TestResultStatus.queued,
    attempt: int = 1,
    **fields: Any,
) -> TestResult:
    result = TestResult(
        run_id=run.id,
        test_case_id=case.id,
        test_name=case.name,
        attempt=attempt,
        status=status,
        definition=case.definition(),
        **fields,
    )
    session.add(result)
    session.flush()
    return result


@dataclass
class Personas:
    acme: Organization
    globex: Organization
    project: Project  # Acme's "Web shop"
    globex_project: Project
    alice: User
    bob: User
    charlie: User

    @property
    def ids(self) -> dict[str, uuid.UUID]:
        return {k: getattr(self, k).id for k in ("acme", "globex", "project", "alice", "bob", "charlie")}


def make_personas(session: Session) -> Personas:
    """alice (owner of Acme and its project), bob (Acme member, project editor), charlie
    (owner of Globex and its project, no access to Acme). Flushed, not committed."""
    acme = make_org(session, "Acme")
    globex = make_org(session, "Globex")
    alice = make_user(session, "alice@acme.test", display_name="Alice")
    bob = make_user(session, "bob@acme.test", display_name="Bob")
    charlie = make_user(session, "charlie@globex.test", display_name="Charlie")
    add_org_member(session, acme, alice, OrgRole.owner)
    add_org_member(session, acme, bob, OrgRole.member)
    add_org_member(session, globex, charlie, OrgRole.owner)
    project = make_project(session, acme, "Web shop", owner=alice)
    add_project_member(session, project, bob, ProjectRole.editor)
    globex_project = make_project(session, globex, "Portal", owner=charlie)
    return Personas(
        acme=acme,
        globex=globex,
        project=project,
        globex_project=globex_project,
        alice=alice,
        bob=bob,
        charlie=charlie,
    )
