"""TraceIQ's database tables (SQLModel). Importing this package registers every table on
`SQLModel.metadata` (what alembic compares against), with the constraint naming convention.

Conventions:
- ids: UUIDv7 generated in Python (`uuid7()`), known before the INSERT, time-sortable.
- datetimes: aware UTC in and out on both databases (`utcnow()`); naive ones are rejected.
- JSON columns (`sa.JSON`): reassign to change them, in-place mutation is not tracked.
- enums: StrEnums stored as VARCHAR(32); rows return enum members.
- no ORM relationships: query by foreign key; hard deletes cascade IN THE DATABASE
  (SQLite needs `PRAGMA foreign_keys=ON`, which `traceiq_app.db.make_engine` sets), so
  expunge/refresh objects after deleting a parent.
- API shapes: `<X>Create` (input, validated), `<X>Update` (partial: `model_dump(exclude_unset=True)`),
  `<X>Public` (output, `model_validate(row)`) for Project, Suite, TestCase, Environment, Run.
- schema changes: edit a model, then `alembic revision --autogenerate -m "..."` and review;
  `tests/db` fails on any drift between models and migrations.
"""

from __future__ import annotations

# base first: it installs the naming convention before any table is declared.
from traceiq_app.models.base import NAMING_CONVENTION, utcnow, uuid7  # isort: skip
from traceiq_app.models.analytics import AnalyticsSettings, FlakyState, Quarantine, ResultDaily, ResultFact
from traceiq_app.models.api_token import ApiToken
from traceiq_app.models.artifact import Artifact
from traceiq_app.models.audit import AuditLog
from traceiq_app.models.defect import (
    CustomField,
    Defect,
    DefectAttachment,
    DefectComment,
    DefectEvent,
    DefectOccurrence,
    DefectOrgFilter,
    DefectSavedFilter,
    DefectWatcher,
    TestCaseFieldValues,
)
from traceiq_app.models.enums import (
    ArtifactKind,
    ArtifactOutcome,
    Browser,
    OrgRole,
    ProjectRole,
    RunStatus,
    RunTrigger,
    SourceFormat,
    StepStatus,
    TestPriority,
    TestResultStatus,
    VideoMode,
)
from traceiq_app.models.environment import (
    Environment,
    EnvironmentBase,
    EnvironmentCreate,
    EnvironmentPublic,
    EnvironmentUpdate,
)
from traceiq_app.models.execution_settings import CookieSpec, ExecutionSettings, Viewport, resolve_settings
from traceiq_app.models.healing import (
    AiSettings,
    HealedStep,
    HealingFingerprint,
    HealingProposal,
    HealingSettings,
)
from traceiq_app.models.invitation import Invitation
from traceiq_app.models.manual import (
    ManualAttachment,
    ManualRun,
    ManualRunActivity,
    ManualRunTest,
    ManualStepResult,
)
from traceiq_app.models.membership import OrganizationMember, ProjectMember
from traceiq_app.models.notification import (
    NotificationAttempt,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreference,
    NotificationRule,
    UserNotification,
)
from traceiq_app.models.organization import Organization
from traceiq_app.models.project import Project, ProjectBase, ProjectCreate, ProjectPublic, ProjectUpdate
from traceiq_app.models.retention import RetentionRule
from traceiq_app.models.run import Run, RunBase, RunCreate, RunPublic, RunSelection
from traceiq_app.models.schedule import Schedule
from traceiq_app.models.suite import Suite, SuiteBase, SuiteCreate, SuitePublic, SuiteUpdate
from traceiq_app.models.test_case import (
    TestCase,
    TestCaseBase,
    TestCaseCreate,
    TestCasePublic,
    TestCaseUpdate,
    TestCaseVersion,
)
from traceiq_app.models.test_result import StepResult, TestResult
from traceiq_app.models.user import RecoveryCode, User, normalize_email
from traceiq_app.models.web_session import WebSession

__all__ = [
    "RetentionRule",
    "NAMING_CONVENTION",
    "AnalyticsSettings",
    "AiSettings",
    "ApiToken",
    "FlakyState",
    "Quarantine",
    "ResultDaily",
    "ResultFact",
    "Artifact",
    "ArtifactKind",
    "ArtifactOutcome",
    "AuditLog",
    "Browser",
    "CookieSpec",
    "CustomField",
    "Defect",
    "DefectAttachment",
    "DefectComment",
    "DefectEvent",
    "DefectOccurrence",
    "DefectOrgFilter",
    "DefectSavedFilter",
    "DefectWatcher",
    "TestCaseFieldValues",
    "Environment",
    "EnvironmentBase",
    "EnvironmentCreate",
    "EnvironmentPublic",
    "EnvironmentUpdate",
    "ExecutionSettings",
    "HealedStep",
    "HealingFingerprint",
    "HealingProposal",
    "HealingSettings",
    "Invitation",
    "ManualAttachment",
    "ManualRun",
    "ManualRunActivity",
    "ManualRunTest",
    "ManualStepResult",
    "NotificationAttempt",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationPreference",
    "NotificationRule",
    "OrgRole",
    "Organization",
    "OrganizationMember",
    "Project",
    "ProjectBase",
    "ProjectCreate",
    "ProjectMember",
    "ProjectPublic",
    "ProjectRole",
    "ProjectUpdate",
    "Run",
    "RunBase",
    "RunCreate",
    "RunPublic",
    "RunSelection",
    "RunStatus",
    "RunTrigger",
    "VideoMode",
    "Schedule",
    "SourceFormat",
    "StepResult",
    "StepStatus",
    "Suite",
    "SuiteBase",
    "SuiteCreate",
    "SuitePublic",
    "SuiteUpdate",
    "TestCase",
    "TestCaseBase",
    "TestCaseCreate",
    "TestCasePublic",
    "TestCaseUpdate",
    "TestCaseVersion",
    "TestPriority",
    "TestResult",
    "TestResultStatus",
    "RecoveryCode",
    "User",
    "UserNotification",
    "Viewport",
    "WebSession",
    "normalize_email",
    "resolve_settings",
    "utcnow",
    "uuid7",
]
