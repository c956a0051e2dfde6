"""Environments of a project: a base URL, plain variables and write-only secrets.

Secret values are encrypted on save (the accounts area's `secrets_crypto`: Fernet with a key
derived from TRACEIQ_SECRET_KEY) and never returned by anything here except
`environment_secrets()`, which only the run worker calls. Pages get `EnvironmentPublic`
(secret NAMES only). Saving secrets merges by name: a name given with a value sets it, a name
given with an empty value keeps the stored one, `remove_secrets` drops names.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, EnvironmentCreate, EnvironmentPublic
from traceiq_app.services.catalog.projects import Invalid, NotFound, _live_project, pydantic_problems
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.platform.secrets_crypto import decrypt_secrets, encrypt_secrets

__all__ = [
    "create_environment",
    "delete_environment",
    "environment_secrets",
    "get_environment",
    "list_environments",
    "update_environment",
]

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE = 10_000
MAX_ENTRIES = 200


def _check_names(kind: str, values: dict[str, str]) -> dict[str, str]:
    if len(values) > MAX_ENTRIES:
        raise Invalid(f"{kind}: at most {MAX_ENTRIES}")
    clean: dict[str, str] = {}
    for raw_name, value in values.items():
        name = str(raw_name).strip()
        if not NAME_RE.match(name):
            raise Invalid(f"{kind}: '{name}' is not a valid name (letters, digits, _; not starting with a digit)")
        if len(str(value)) > MAX_VALUE:
            raise Invalid(f"{kind}: the value of {name} is longer than {MAX_VALUE} characters")
        clean[name] = str(value)
    return clean


def _check_base_url(base_url: str | None) -> str | None:
    base_url = (base_url or "").strip() or None
    if base_url and not re.match(r"^https?://[^\s/]+", base_url):
        raise Invalid("base URL: must start with http:// or https:// followed by a host")
    return base_url


def _env(session: Session, project_id: uuid.UUID, env_id: uuid.UUID | str) -> Environment:
    try:
        eid = env_id if isinstance(env_id, uuid.UUID) else uuid.UUID(str(env_id))
    except ValueError:
        raise NotFound("environment") from None
    env = session.get(Environment, eid)
    if env is None or env.project_id != project_id:
        raise NotFound("environment")
    return env


def _name_taken(session: Session, project_id: uuid.UUID, name: str, except_id: uuid.UUID | None = None) -> bool:
    found = session.exec(select(Environment.id).where(Environment.project_id == project_id,
                                                       Environment.name == name)).first()
    return found is not None and found != except_id


def list_environments(project_id: uuid.UUID) -> list[EnvironmentPublic]:
    with session_scope() as session:
        _live_project(session, project_id)
        rows = session.exec(select(Environment).where(Environment.project_id == project_id)
                            .order_by(col(Environment.name))).all()
        return [EnvironmentPublic.from_row(r) for r in rows]


def get_environment(project_id: uuid.UUID, env_id: uuid.UUID | str) -> EnvironmentPublic:
    with session_scope() as session:
        return EnvironmentPublic.from_row(_env(session, project_id, env_id))


def create_environment(actor: Principal | None, project_id: uuid.UUID, name: str, *, base_url: str | None = None,
                       variables: dict[str, str] | None = None,
                       secrets: dict[str, str] | None = None) -> EnvironmentPublic:
    try:
        data = EnvironmentCreate.model_validate({
            "name": (name or "").strip(), "base_url": _check_base_url(base_url),
            "variables": _check_names("variables", variables or {}),
            "secrets": _check_names("secrets", secrets or {}),
        })
    except ValidationError as exc:
        raise Invalid(pydantic_problems(exc)) from None
    with session_scope() as session:
        project = _live_project(session, project_id)
        if _name_taken(session, project_id, data.name):
            raise Invalid(f"name: an environment called '{data.name}' already exists")
        clean_secrets = {k: v for k, v in data.secrets.items() if v != ""}
        env = Environment(project_id=project_id, name=data.name, base_url=data.base_url,
                          variables=dict(data.variables), secrets_encrypted=encrypt_secrets(clean_secrets),
                          secret_names=sorted(clean_secrets))
        session.add(env)
        session.flush()
        audit.record(session, org_id=project.org_id, project_id=project_id, action="environment.create",
                     actor=actor, object_type="environment", object_id=str(env.id),
                     details={"name": env.name, "secret_names": env.secret_names})
        return EnvironmentPublic.from_row(env)


def update_environment(actor: Principal | None, project_id: uuid.UUID, env_id: uuid.UUID | str, *,
                       name: str | None = None, base_url: str | None | Any = ...,
                       variables: dict[str, str] | None = None, secrets: dict[str, str] | None = None,
                       remove_secrets: list[str] | None = None) -> EnvironmentPublic:
    """Change what is given. `secrets` merge by name (empty value = keep the stored one)."""
    with session_scope() as session:
        project = _live_project(session, project_id)
        env = _env(session, project_id, env_id)
        if name is not None:
            name = name.strip()
            if not name or len(name) > 100:
                raise Invalid("name: between 1 and 100 characters")
            if _name_taken(session, project_id, name, except_id=env.id):
                raise Invalid(f"name: an environment called '{name}' already exists")
            env.name = name
        if base_url is not ...:
            env.base_url = _check_base_url(base_url)
        if variables is not None:
            env.variables = _check_names("variables", variables)
        changed_secrets: list[str] = []
        if secrets is not None or remove_secrets:
            current = decrypt_secrets(env.secrets_encrypted)
            for key in remove_secrets or []:
                if current.pop(key, None) is not None:
                    changed_secrets.append(key)
            for key, value in _check_names("secrets", secrets or {}).items():
                if value != "":
                    current[key] = value
                    changed_secrets.append(key)
            env.secrets_encrypted = encrypt_secrets(current)
            env.secret_names = sorted(current)
        session.add(env)
        session.flush()
        audit.record(session, org_id=project.org_id, project_id=project_id, action="environment.update",
                     actor=actor, object_type="environment", object_id=str(env.id),
                     details={"name": env.name, "secrets_changed": sorted(set(changed_secrets))})
        return EnvironmentPublic.from_row(env)


def delete_environment(actor: Principal | None, project_id: uuid.UUID, env_id: uuid.UUID | str) -> None:
    with session_scope() as session:
        project = _live_project(session, project_id)
        env = _env(session, project_id, env_id)
        audit.record(session, org_id=project.org_id, project_id=project_id, action="environment.delete",
                     actor=actor, object_type="environment", object_id=str(env.id), details={"name": env.name})
        session.delete(env)


def environment_secrets(environment_id: uuid.UUID) -> dict[str, str]:
    """Decrypted secret values — for the run worker only (never for pages or the API)."""
    with session_scope() as session:
        env = session.get(Environment, environment_id)
        if env is None:
            return {}
        return decrypt_secrets(env.secrets_encrypted)


def secret_key_problem() -> str | None:
    """Why this process's secret key cannot open the stored environment secrets (None: it can,
    or none are stored). A worker checks this at start: one started without the web node's
    TRACEIQ_SECRET_KEY would generate a key of its own and fail every test that uses a secret."""
    from traceiq_app.services.platform.secrets_crypto import SecretsDecryptError

    with session_scope() as session:
        ciphertext = session.exec(
            select(Environment.secrets_encrypted).where(col(Environment.secrets_encrypted).is_not(None)).limit(1)
        ).first()
    if not ciphertext:
        return None
    try:
        decrypt_secrets(ciphertext)
    except SecretsDecryptError:
        return ("the database holds environment secrets that this process's secret key cannot decrypt: "
                "set TRACEIQ_SECRET_KEY to the same value as on the web node (see docs/configuration.md, "
                "Scale out)")
    return None


def environment_layer(env: Environment | None) -> dict[str, Any] | None:
    """The settings an environment contributes (base_url, variables), as `runs` resolves them."""
    if env is None:
        return None
    layer = {"base_url": env.base_url, "variables": dict(env.variables or {}) or None}
    return {k: v for k, v in layer.items() if v} or None
