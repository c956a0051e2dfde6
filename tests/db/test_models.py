"""The models on real migrated databases (each test runs on SQLite and on Postgres)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col, select

from tests.factories import (
    make_environment,
    make_org,
    make_personas,
    make_project,
    make_run,
    make_suite,
    make_test_case,
    make_test_result,
    make_user,
)
from traceiq_app.models import (
    Artifact,
    ArtifactKind,
    Environment,
    EnvironmentPublic,
    ExecutionSettings,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    ProjectPublic,
    ProjectRole,
    Run,
    RunCreate,
    RunPublic,
    RunStatus,
    RunTrigger,
    StepResult,
    StepStatus,
    Suite,
    TestCase,
    TestCaseCreate,
    TestCaseVersion,
    TestResult,
    TestResultStatus,
    User,
    normalize_email,
    resolve_settings,
    utcnow,
    uuid7,
)
from traceiq_app.services.platform.ids import uuid7_datetime


def test_it_creates_alice_bob_and_charlie_through_the_factories(session: Session) -> None:
    p = make_personas(session)
    session.commit()

    def org_role(user: User, org_id: uuid.UUID) -> OrgRole | None:
        m = session.exec(
            select(OrganizationMember).where(
                OrganizationMember.org_id == org_id, OrganizationMember.user_id == user.id
            )
        ).first()
        return m.role if m else None

    def project_role(user: User, project_id: uuid.UUID) -> ProjectRole | None:
        m = session.exec(
            select(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.user_id == user.id
            )
        ).first()
        return m.role if m else None

    assert p.acme.name == "Acme" and p.project.org_id == p.acme.id
    assert org_role(p.alice, p.acme.id) is OrgRole.owner
    assert project_role(p.alice, p.project.id) is ProjectRole.owner
    assert org_role(p.bob, p.acme.id) is OrgRole.member
    assert project_role(p.bob, p.project.id) is ProjectRole.editor
    assert org_role(p.charlie, p.acme.id) is None
    assert project_role(p.charlie, p.project.id) is None
    assert org_role(p.charlie, p.globex.id) is OrgRole.owner
    assert p.globex_project.org_id == p.globex.id
    emails = set(session.exec(select(User.email)).all())
    assert emails == {"alice@acme.test", "bob@acme.test", "charlie@globex.test"}


def test_it_keeps_emails_unique_case_insensitively(session: Session) -> None:
    user = make_user(session, "  Alice@Acme.TEST ")
    assert user.email == "alice@acme.test"
    session.commit()
    found = session.exec(select(User).where(User.email == normalize_email("ALICE@acme.test"))).one()
    assert found.id == user.id

    with pytest.raises(IntegrityError):
        make_user(session, "ALICE@ACME.TEST")
    session.rollback()

    # Even raw SQL cannot store a mixed-case address (CHECK constraint).
    with pytest.raises(IntegrityError):
        session.execute(
            sa.text(
                "INSERT INTO users (id, email, is_active, created_at) "
                "VALUES (:id, 'Bob@Acme.test', true, :now)"
            ).bindparams(
                sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("now", type_=sa.DateTime(timezone=True))
            ),
            {"id": uuid7(), "now": utcnow()},
        )
    session.rollback()


def test_it_round_trips_aware_utc_datetimes_and_rejects_naive_ones(session: Session) -> None:
    org = make_org(session)
    paris = timezone(timedelta(hours=2))
    when = datetime(2026, 7, 1, 14, 30, 5, 123456, tzinfo=paris)
    org.deleted_at = when
    session.commit()
    session.expire_all()

    back = session.get(type(org), org.id)
    assert back is not None and back.deleted_at is not None
    assert back.deleted_at == when
    assert back.deleted_at.tzinfo is not None and back.deleted_at.utcoffset() == timedelta(0)
    assert back.created_at.tzinfo is not None

    # Comparisons in SQL use the same UTC normalization (SQLite compares text).
    hits = session.exec(
        select(Organization).where(col(Organization.deleted_at) > datetime(2026, 7, 1, 12, 30, 4, tzinfo=UTC))
    ).all()
    assert [o.id for o in hits] == [org.id]

    org.deleted_at = datetime(2026, 7, 1, 12, 0)  # naive
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
    session.rollback()


def test_it_stores_enums_as_plain_strings_and_reads_back_enum_members(session: Session) -> None:
    p = make_personas(session)
    run = make_run(session, p.project, user=p.alice, status=RunStatus.running)
    session.commit()

    raw = session.execute(sa.text("SELECT status, trigger FROM runs")).one()
    assert tuple(raw) == ("running", "ui")
    session.expire_all()
    back = session.get(Run, run.id)
    assert back is not None
    assert back.status is RunStatus.running and back.trigger is RunTrigger.ui

    back.status = "bogus"  # type: ignore[assignment]
    with pytest.raises(StatementError, match="bogus"):
        session.commit()
    session.rollback()


def test_it_cascades_hard_deletes_and_keeps_run_history(session: Session) -> None:
    p = make_personas(session)
    suite = make_suite(session, p.project, "Checkout")
    child = make_suite(session, p.project, "Payment", parent=suite)
    case = make_test_case(session, p.project, "Pay by card", suite=child, author=p.bob)
    keeper = make_test_case(session, p.project, "Home page", author=p.bob)
    run = make_run(session, p.project, user=p.bob)
    result = make_test_result(session, run, case, status=TestResultStatus.failed)
    artifact = Artifact(
        project_id=p.project.id,
        run_id=run.id,
        test_result_id=result.id,
        kind=ArtifactKind.failure_screenshot,
        storage_key=f"runs/{run.id}/shot.png",
        size_bytes=5_000_000_000,  # needs BIGINT
    )
    session.add(artifact)
    session.flush()
    session.add(
        StepResult(
            test_result_id=result.id,
            step_index=0,
            action="goto",
            status=StepStatus.failed,
            screenshot_artifact_id=artifact.id,
        )
    )
    session.commit()

    # Deleting the folder removes its sub-folder and the tests inside; results survive.
    session.delete(suite)
    session.commit()
    session.expunge_all()  # the ORM does not know what the database cascaded
    assert session.get(Suite, child.id) is None
    assert session.get(TestCase, case.id) is None
    assert session.exec(select(TestCaseVersion).where(TestCaseVersion.test_case_id == case.id)).all() == []
    kept = session.get(TestResult, result.id)
    assert kept is not None and kept.test_case_id is None and kept.test_name == "Pay by card"
    assert kept.definition["steps"][0]["action"] == "goto"

    # Deleting the artifact row only unlinks the step's screenshot.
    session.delete(session.get(Artifact, artifact.id))
    session.commit()
    step = session.exec(select(StepResult).where(StepResult.test_result_id == result.id)).one()
    assert step.screenshot_artifact_id is None

    # Deleting bob keeps his work and history, drops his memberships.
    session.delete(session.get(User, p.bob.id))
    session.commit()
    session.expunge_all()  # the ORM does not know what the database cascaded
    kept_case = session.get(TestCase, keeper.id)
    assert kept_case is not None and kept_case.created_by is None
    kept_run = session.get(Run, run.id)
    assert kept_run is not None and kept_run.triggered_by_user_id is None
    assert session.exec(select(ProjectMember).where(ProjectMember.user_id == p.bob.id)).all() == []

    # Deleting the organization removes everything under it.
    session.delete(session.get(type(p.acme), p.acme.id))
    session.commit()
    for model in (Project, Run, TestResult, StepResult, TestCase):
        rows = session.exec(select(model)).all()
        assert all(getattr(r, "project_id", p.globex_project.id) == p.globex_project.id for r in rows), model
    assert session.exec(select(Run)).all() == []
    assert session.exec(select(StepResult)).all() == []
    assert [pr.id for pr in session.exec(select(Project)).all()] == [p.globex_project.id]


def test_it_frees_a_project_slug_when_the_project_is_soft_deleted(session: Session) -> None:
    org = make_org(session)
    first = make_project(session, org, "Web shop")
    session.commit()
    with pytest.raises(IntegrityError):
        make_project(session, org, "Web shop again", slug="web-shop")
    session.rollback()

    first.deleted_at = utcnow()
    session.commit()
    second = make_project(session, org, "Web shop")
    session.commit()
    assert second.slug == first.slug
    # Same slug in another org is fine.
    make_project(session, make_org(session, "Globex"), "Web shop")
    session.commit()


def test_it_keeps_one_history_row_per_test_case_version(session: Session) -> None:
    p = make_personas(session)
    case = make_test_case(session, p.project, author=p.alice)
    session.commit()

    case.steps = [*case.steps, {"action": "click", "target": {"role": "link", "name": "Cart"}}]
    case.version += 1
    session.add(case.version_row(p.bob.id))
    session.commit()
    versions = session.exec(
        select(TestCaseVersion)
        .where(TestCaseVersion.test_case_id == case.id)
        .order_by(col(TestCaseVersion.version))
    ).all()
    assert [(v.version, len(v.definition["steps"])) for v in versions] == [(1, 2), (2, 3)]
    assert versions[1].author_id == p.bob.id
    assert case.to_definition().steps[2].action == "click"

    session.add(case.version_row(p.bob.id))  # same version twice
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_it_refreshes_updated_at_on_update(session: Session) -> None:
    org = make_org(session)
    project = make_project(session, org)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    project.updated_at = long_ago
    session.commit()
    project.name = "Renamed"
    session.commit()
    session.refresh(project)
    assert project.updated_at > long_ago + timedelta(days=365)
    assert project.updated_at.tzinfo is not None


def test_it_serves_the_ui_queries_from_indexes(session: Session) -> None:
    """Runs newest first per project, filtered by status; a test's result history."""
    p = make_personas(session)
    case = make_test_case(session, p.project)
    runs = [make_run(session, p.project, status=RunStatus.passed) for _ in range(3)]
    failed = make_run(session, p.project, status=RunStatus.failed)
    for r in runs:
        make_test_result(session, r, case, status=TestResultStatus.passed, finished_at=utcnow())
    session.commit()

    newest_first = session.exec(
        select(Run)
        .where(Run.project_id == p.project.id)
        .order_by(col(Run.created_at).desc(), col(Run.id).desc())
    ).all()
    assert newest_first[0].id == failed.id
    assert [r.id for r in newest_first] == sorted([r.id for r in [*runs, failed]], reverse=True)
    only_failed = session.exec(
        select(Run).where(Run.project_id == p.project.id, Run.status == RunStatus.failed)
    ).all()
    assert [r.id for r in only_failed] == [failed.id]
    history = session.exec(
        select(TestResult)
        .where(TestResult.test_case_id == case.id)
        .order_by(col(TestResult.finished_at).desc())
    ).all()
    assert len(history) == 3


def test_it_builds_public_models_from_rows(session: Session) -> None:
    p = make_personas(session)
    env = make_environment(session, p.project, variables={"USER": "demo"})
    env.secrets_encrypted = "gAAAA-ciphertext"
    env.secret_names = ["PASSWORD"]
    run = make_run(session, p.project, selection={"suite_ids": [], "test_ids": [], "tags": ["smoke"]})
    session.commit()

    public_env = EnvironmentPublic.from_row(session.get(Environment, env.id))  # type: ignore[arg-type]
    assert public_env.secret_names == ["PASSWORD"]
    assert "secrets_encrypted" not in public_env.model_dump()
    assert "gAAAA" not in public_env.model_dump_json()

    public_project = ProjectPublic.model_validate(p.project)
    assert public_project.settings.base_url == "https://shop.example.test"
    public_run = RunPublic.model_validate(run)
    assert public_run.selection.tags == ["smoke"] and public_run.status is RunStatus.queued


# --- pure model behaviour (no database) ----------------------------------------------------


def test_it_generates_time_sortable_uuid7_ids() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids[:10])
    assert abs(uuid7_datetime(ids[0]) - utcnow()) < timedelta(seconds=5)


def test_it_keeps_uuid7_increasing_when_the_clock_steps_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceiq_app.services.platform.ids as ids

    first = uuid7()
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_000_000_000)  # 1970: far in the past
    later = [uuid7() for _ in range(5000)]  # also overflows the 12-bit counter
    assert [first, *later] == sorted([first, *later])


def test_it_validates_test_case_steps_with_the_engine_model() -> None:
    ok = TestCaseCreate(name="Sign in", steps=[{"action": "goto", "url": "/login"}], tags=["smoke"])
    assert ok.priority == "medium"
    with pytest.raises(ValidationError, match="steps"):
        TestCaseCreate(name="Broken", steps=[{"action": "click"}])  # click needs a target
    with pytest.raises(ValidationError):
        TestCaseCreate(name="Empty", steps=[])


def test_it_validates_run_requests() -> None:
    req = RunCreate(selection={"tags": ["smoke"]}, browsers=["chromium", "firefox"])  # type: ignore[arg-type,list-item]
    assert req.selection.to_json() == {"suite_ids": [], "test_ids": [], "tags": ["smoke"]}
    with pytest.raises(ValidationError):
        RunCreate(browsers=["netscape"])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        RunCreate(parallelism=0)


def test_it_resolves_inherited_execution_settings() -> None:
    project = {
        "base_url": "https://a.test",
        "headers": {"X-A": "1"},
        "browsers": ["chromium"],
        "step_timeout_ms": 5000,
    }
    folder = {"headers": {"X-B": "2"}, "browsers": ["firefox", "webkit"]}
    sub = ExecutionSettings(base_url="https://b.test", viewport={"width": 390, "height": 844})  # type: ignore[arg-type]
    got = resolve_settings(project, None, folder, sub)
    assert got.base_url == "https://b.test"
    assert got.headers == {"X-A": "1", "X-B": "2"}
    assert [b.value for b in got.browsers or []] == ["firefox", "webkit"]
    assert got.step_timeout_ms == 5000 and got.viewport is not None and got.viewport.width == 390
    with pytest.raises(ValidationError):
        ExecutionSettings.model_validate({"base_ulr": "typo"})
