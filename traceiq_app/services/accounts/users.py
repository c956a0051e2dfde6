"""Users and organizations: creating accounts, password sign-in, password changes.

Every function opens its own `session_scope()` unless it takes a `session`. Errors a user can fix
are `AccountError` with a message fit to show as is.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from traceiq_app.db import session_scope
from traceiq_app.models import Organization, OrganizationMember, OrgRole, User, normalize_email, utcnow
from traceiq_app.services.accounts import passwords

# Pragmatic: one "@", a dot in the domain, no spaces. Deliverability is the mail server's job.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z0-9-]{1,63}$")


class AccountError(ValueError):
    """Bad input for an account operation; the message is meant for the user."""


def validate_email(email: str) -> str:
    normalized = normalize_email(email or "")
    if len(normalized) > 320 or not _EMAIL_RE.match(normalized):
        raise AccountError("email: not a valid email address")  # never repeat the input
    return normalized


def check_password(password: str, email: str | None = None) -> None:
    try:
        passwords.check_password_policy(password, email=email)
    except passwords.WeakPasswordError as exc:
        raise AccountError(str(exc)) from None


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100].strip("-")
    return slug or "org"


def org_name_from_email(email: str) -> str:
    """'alice@acme.test' -> 'Acme'; 'bob@eng.big-corp.example' -> 'Big-Corp'."""
    labels = email.rpartition("@")[2].split(".")
    name = labels[-2] if len(labels) >= 2 else labels[0]
    return name[:1].upper() + name[1:]


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def _find_org(session: Session, name: str) -> Organization | None:
    slug = slugify(name)
    return session.exec(
        select(Organization).where(Organization.slug == slug, Organization.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()


def _unique_org_slug(session: Session, name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while session.exec(select(Organization.id).where(Organization.slug == slug)).first() is not None:
        n += 1
        slug = f"{base[:95]}-{n}"
    return slug


def create_user_with_org(
    email: str,
    password: str | None,
    org_name: str | None = None,
    *,
    display_name: str | None = None,
    join_existing: bool = True,
    session: Session | None = None,
    verified: bool = False,
) -> tuple[User, Organization, str]:
    """Create a user and put them in an organization; returns (user, org, role).

    The org is `org_name` or derived from the email domain. A new org is created with the user
    as its owner; when it exists the user joins as a member (`join_existing=False` refuses
    that instead: public sign-up must never join someone else's org). `password=None` creates
    an account that can only sign in through SSO. `verified`: the address is known to be theirs
    (an admin or a sign-on provider vouches for it); otherwise it awaits e-mail verification.
    """
    normalized = validate_email(email)
    if password is not None:
        check_password(password, normalized)
    name = (org_name or "").strip() or org_name_from_email(normalized)
    if len(name) > 200:
        raise AccountError("organization name must be at most 200 characters")
    if session is None:
        try:
            with session_scope() as own:
                return create_user_with_org(
                    normalized, password, name, display_name=display_name,
                    join_existing=join_existing, session=own, verified=verified,
                )
        except IntegrityError:
            # A concurrent request created the same email (or org slug) first.
            raise AccountError(f"a user with email {normalized} already exists") from None

    if get_user_by_email(session, normalized) is not None:
        raise AccountError(f"a user with email {normalized} already exists")
    user = User(
        email=normalized,
        display_name=(display_name or "").strip()[:200] or normalized.split("@")[0],
        password_hash=passwords.hash_password(password) if password is not None else None,
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    org = _find_org(session, name)
    if org is None:
        org = Organization(name=name, slug=_unique_org_slug(session, name))
        session.add(org)
        role = OrgRole.owner
    elif not join_existing:
        raise AccountError(f"organization '{name}' already exists; ask one of its admins for an invitation")
    else:
        role = OrgRole.member
    session.flush()
    session.add(OrganizationMember(org_id=org.id, user_id=user.id, role=role))
    session.flush()
    from traceiq_app.services.platform import audit

    audit.record(
        session, org_id=org.id, action="user.create", actor=None, object_type="user",
        object_id=str(user.id), details={"email": normalized, "org_role": role.value},
    )
    return user, org, role.value


@dataclass(frozen=True)
class OrgMembership:
    org_id: uuid.UUID
    org_name: str
    org_slug: str
    role: OrgRole


def memberships(session: Session, user_id: uuid.UUID) -> list[OrgMembership]:
    rows = session.exec(
        select(OrganizationMember, Organization)
        .join(Organization, Organization.id == OrganizationMember.org_id)  # type: ignore[arg-type]
        .where(OrganizationMember.user_id == user_id, Organization.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Organization.created_at)  # type: ignore[arg-type]
    ).all()
    return [OrgMembership(org.id, org.name, org.slug, OrgRole(m.role)) for m, org in rows]


def primary_org_id(session: Session, user_id: uuid.UUID) -> uuid.UUID | None:
    found = memberships(session, user_id)
    return found[0].org_id if found else None


def set_password(session: Session, user: User, new_password: str) -> None:
    check_password(new_password, user.email)
    user.password_hash = passwords.hash_password(new_password)
    session.add(user)


def touch_login(session: Session, user: User) -> None:
    user.last_login_at = utcnow()
    session.add(user)


def signup_policy() -> str:
    """TRACEIQ_SIGNUP: "open" (anyone may create a new organization), "invite-only" (nobody:
    accounts come from invitations or `traceiq admin create-user`) or "first-user-only" (the
    default: only the very first user of an install). The older TRACEIQ_ALLOW_SIGNUP=true
    still means "open"."""
    from traceiq_app.settings import get_settings

    settings = get_settings()
    if settings.allow_signup:
        return "open"
    return settings.signup


def signup_open() -> bool:
    """May a visitor create an organization from /signup right now (see signup_policy)?"""
    policy = signup_policy()
    if policy == "open":
        return True
    if policy == "invite-only":
        return False
    with session_scope() as session:
        return session.exec(select(User.id).limit(1)).first() is None


def signup(email: str, password: str, org_name: str | None, display_name: str | None = None) -> tuple[User, Organization]:
    """Public sign-up: creates a NEW organization owned by the new user (never joins one)."""
    if not signup_open():
        raise AccountError("sign-up is closed on this server: ask an admin of your organization for an invitation")
    user, org, _role = create_user_with_org(email, password, org_name, display_name=display_name,
                                            join_existing=False)
    return user, org


def safe_next_path(value: str | None) -> str:
    """Where to go after sign-in: only a local path (never another site: no '//host', no
    backslashes, no control characters browsers would strip), else '/'."""
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value) or len(value) > 2000):
        return "/"
    return value
