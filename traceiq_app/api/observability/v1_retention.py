"""/api/v1/system/retention: the organization's run retention rules (the System page's editor as
an API): list them with what the next cleanup deletes, preview an unsaved rule (the sweep's own
dry run), save (one rule per scope: the org or one project) and remove. Reading authorizes
`system.read`, changing `retention.write` (org owners and admins, admin-scope tokens)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_envelope import ApiError
from traceiq_app.db import session_scope
from traceiq_app.services.platform.permissions import Principal, authorize
from traceiq_app.services.runs import retention, retention_rules

router = APIRouter(tags=["system"])


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: str = Field(default="org", max_length=64, description='"org" (org-wide) or a project id')
    keep_days: int | None = Field(default=None, description="finished runs older than this are deleted")
    keep_last: int | None = Field(default=None, description="the newest N finished runs of a project stay")
    keep_failed_days: int | None = Field(default=None, description="failed runs are kept this long instead")

    def form(self) -> dict[str, str]:
        return {k: "" if v is None else str(v) for k, v in
                {"keep_days": self.keep_days, "keep_last": self.keep_last,
                 "keep_failed_days": self.keep_failed_days}.items()}


def _check(principal: Principal, action: str, org_id: uuid.UUID) -> None:
    with session_scope() as session:
        authorize(principal, action, org_id=org_id, session=session)


def _invalid(exc: retention_rules.RetentionRuleInvalid) -> Response:
    return ApiError(422, exc.message, details=[{"field": exc.field, "problem": exc.message}]).response()


@router.get("/api/v1/system/retention", summary="Run retention rules and what the next cleanup deletes",
            responses=responses(403))
async def list_retention(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        _check(principal, "system.read", org_id)
        return {"rules": retention_rules.list_rules(org_id),
                "next_pass": retention.sweep(dry_run=True, org_id=org_id).as_dict()}

    return await run_in_threadpool(build)


@router.post("/api/v1/system/retention/preview", summary="What an unsaved rule would delete now",
             responses=responses(403, 422))
async def preview_retention(org_id: uuid.UUID, body: RuleIn,
                            principal: Principal = Depends(require_principal)) -> Any:
    def build() -> Any:
        _check(principal, "system.read", org_id)
        try:
            return retention_rules.preview(org_id, body.scope, body.form())
        except retention_rules.RetentionRuleInvalid as exc:
            return _invalid(exc)

    return await run_in_threadpool(build)


@router.put("/api/v1/system/retention", summary="Save the rule of one scope (the org or a project)",
            responses=responses(403, 422))
async def save_retention(org_id: uuid.UUID, body: RuleIn, principal: Principal = Depends(require_principal)) -> Any:
    def build() -> Any:
        _check(principal, "retention.write", org_id)
        try:
            rule = retention_rules.save_rule(principal, org_id, body.scope, body.form())
        except retention_rules.RetentionRuleInvalid as exc:
            return _invalid(exc)
        return {"id": str(rule.id), "project_id": str(rule.project_id) if rule.project_id else None,
                "keep_days": rule.keep_days, "keep_last": rule.keep_last, "keep_failed_days": rule.keep_failed_days}

    return await run_in_threadpool(build)


@router.delete("/api/v1/system/retention/{rule_id}", status_code=204, summary="Remove a retention rule",
               responses=responses(403, 404))
async def delete_retention(rule_id: uuid.UUID, org_id: uuid.UUID,
                           principal: Principal = Depends(require_principal)) -> Response:
    def build() -> Response:
        _check(principal, "retention.write", org_id)
        if not retention_rules.delete_rule(principal, org_id, str(rule_id)):
            return ApiError(404, "retention rule not found").response()
        return Response(status_code=204)

    return await run_in_threadpool(build)
