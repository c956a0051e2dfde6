"""Backup and restore of a whole installation: `traceiq backup OUT.tar.zst` / `traceiq restore IN`.

A backup is a zstd-compressed tar with:

    manifest.json          format, TraceIQ version, database kind, schema revision, and the
                           size + SHA-256 of every other member
    database/traceiq.db    SQLite, copied through its online backup API (consistent while the
                           app writes), or
    database/traceiq.pgdump  Postgres, `pg_dump --format=custom` (one consistent snapshot)
    artifacts/...          the local artifact folder, or
    artifacts-s3.json      for S3 storage: a manifest of the bucket's keys, sizes and ETags
                           (the objects stay in the bucket: back it up with the S3 tooling)
    secret.key             the key that encrypts environment secrets and signs sessions

The database is snapshotted FIRST and the artifacts after it, so every artifact row of the
snapshot has its file (files written later are harmless extras). Restore goes into an EMPTY
target only (no tables in the database, no files in the artifact folder, no different
secret.key) and refuses a backup whose schema is newer than this TraceIQ knows; an older one is
migrated forward after the restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from traceiq_app.settings import Settings, get_settings

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupSummary:
    path: Path
    database: str
    schema_revision: str | None
    files: int
    artifact_files: int
    bytes: int
    notes: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgres"
    raise BackupError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _libpq_url(url: str) -> str:
    """SQLAlchemy's postgresql+psycopg://… as the plain URL pg_dump / pg_restore understand."""
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the database is an in-memory SQLite database: nothing to back up")
    return Path(database)


def _revision(url: str) -> str | None:
    from traceiq_app.services.platform.migrations import current_revision

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return current_revision(conn)
    finally:
        engine.dispose()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not on the PATH: install the PostgreSQL client (Debian: postgresql-client)")
    return found


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-800:] or f'exit code {done.returncode}'}")


# ---- backup --------------------------------------------------------------------------------
def _snapshot_database(url: str, staging: Path) -> str:
    (staging / "database").mkdir()
    if _kind(url) == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.is_file():
            raise BackupError(f"no SQLite database at {source_path}")
        target = staging / "database" / "traceiq.db"
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        return "sqlite"
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file",
          str(staging / "database" / "traceiq.pgdump"), _libpq_url(url)], "pg_dump")
    return "postgres"


def _copy_artifacts(settings: Settings, staging: Path) -> tuple[int, list[str]]:
    from traceiq_app.services.platform.storage import S3Storage, storage_from_settings

    storage = storage_from_settings(settings)
    if isinstance(storage, S3Storage):
        objects = [{"key": o.object_name, "size": o.size, "etag": o.etag}
                   for o in storage.client.list_objects(storage.bucket, recursive=True)
                   if o.object_name and not o.object_name.startswith(".health/")]
        (staging / "artifacts-s3.json").write_text(json.dumps(
            {"endpoint": settings.s3_endpoint, "bucket": settings.s3_bucket, "objects": objects}, indent=1))
        return 0, [f"artifacts stay in S3 bucket {settings.s3_bucket!r}: {len(objects)} object(s) listed "
                   "in artifacts-s3.json; back the bucket up with your S3 tooling"]
    source = settings.artifacts_dir
    count = 0
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                target = staging / "artifacts" / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                count += 1
    return count, []


def backup(out: Path, settings: Settings | None = None,
           progress: Callable[[str], None] = lambda _msg: None) -> BackupSummary:
    """Write a backup of the database, the artifacts and the secret key to `out` (.tar.zst)."""
    import zstandard

    settings = settings or get_settings()
    url = settings.database_url_effective
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name")
    if not out.parent.is_dir():
        raise BackupError(f"folder {out.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="traceiq-backup-", dir=out.parent) as tmp:
        staging = Path(tmp) / "backup"
        staging.mkdir()
        progress("snapshotting the database")
        revision = _revision(url)
        kind = _snapshot_database(url, staging)
        progress("copying artifacts")
        artifact_files, notes = _copy_artifacts(settings, staging)
        key = staging / "secret.key"
        key.write_text(settings.secret_key_effective())
        key.chmod(0o600)
        if settings.secret_key:
            notes.append("the secret key comes from TRACEIQ_SECRET_KEY; it is in the backup too")
        members = sorted(p for p in staging.rglob("*") if p.is_file())
        manifest: dict[str, Any] = {
            "format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "traceiq_version": _version(), "database": kind, "schema_revision": revision,
            "files": {str(p.relative_to(staging)): {"size": p.stat().st_size, "sha256": _sha256(p)}
                      for p in members},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        progress("compressing")
        partial = out.with_name(out.name + ".partial")
        with open(partial, "wb") as raw, zstandard.ZstdCompressor(level=6, threads=-1).stream_writer(raw) as zst, \
                tarfile.open(fileobj=zst, mode="w|") as tar:
            tar.add(staging / MANIFEST, arcname=MANIFEST)
            for path in members:
                tar.add(path, arcname=str(path.relative_to(staging)))
        os.replace(partial, out)
    return BackupSummary(out, kind, revision, len(members), artifact_files, out.stat().st_size, notes)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("traceiq")
    except PackageNotFoundError:
        return "unknown"


# ---- restore -------------------------------------------------------------------------------
def _extract(archive: Path, into: Path) -> dict[str, Any]:
    import zstandard

    if not archive.is_file():
        raise BackupError(f"no backup file at {archive}")
    try:
        with open(archive, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as zst, \
                tarfile.open(fileobj=zst, mode="r|") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, zstandard.ZstdError, OSError) as exc:
        raise BackupError(f"{archive.name} is not a TraceIQ backup (.tar.zst): {exc}") from None
    try:
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{archive.name} has no readable {MANIFEST}: not a TraceIQ backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (this TraceIQ reads {FORMAT})")
    for name, meta in manifest["files"].items():
        path = into / name
        if not path.is_file() or path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{name} in the backup is damaged (size or checksum differs from the manifest)")
    return manifest


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from traceiq_app.services.platform.migrations import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _table_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return len(sa.inspect(conn).get_table_names())
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot reach the target database: {exc.orig}") from None
    finally:
        engine.dispose()


def _check_target(settings: Settings, url: str, kind: str, secret: str) -> None:
    target_kind = _kind(url)
    if target_kind != kind:
        raise BackupError(f"the backup holds a {kind} database but the target is {target_kind}: "
                          f"restore into a {kind} database (set DATABASE_URL)")
    if kind == "sqlite":
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0 and _table_count(url):
            raise BackupError(f"the target database {path} is not empty: restore into a new data folder")
    elif _table_count(url):
        raise BackupError("the target Postgres database is not empty: create a new, empty database")
    artifacts = settings.artifacts_dir
    if artifacts.is_dir() and any(p.is_file() for p in artifacts.rglob("*")):
        raise BackupError(f"the artifact folder {artifacts} is not empty: restore into a new data folder")
    key_file = settings.data_dir / "secret.key"
    if key_file.exists() and key_file.read_text().strip() != secret.strip():
        raise BackupError(f"{key_file} holds a different secret key: restore into a new data folder")
    if settings.secret_key and settings.secret_key != secret.strip():
        raise BackupError("TRACEIQ_SECRET_KEY differs from the backup's key: environment secrets would not "
                          "decrypt; unset it (the restored secret.key is used) or set it to the backup's key")


def restore(archive: Path, settings: Settings | None = None,
            progress: Callable[[str], None] = lambda _msg: None) -> BackupSummary:
    """Restore `archive` into the (empty) database and data folder of `settings`."""
    from traceiq_app.services.platform.migrations import upgrade_to_head

    settings = settings or get_settings()
    url = settings.database_url_effective
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="traceiq-restore-", dir=settings.data_dir) as tmp:
        staging = Path(tmp)
        progress("reading and verifying the backup")
        manifest = _extract(archive, staging)
        revision = manifest.get("schema_revision")
        if revision and revision not in _known_revisions():
            raise BackupError(f"the backup's schema ({revision}) is newer than this TraceIQ knows: "
                              "upgrade TraceIQ first, then restore")
        secret = (staging / "secret.key").read_text()
        kind = manifest["database"]
        _check_target(settings, url, kind, secret)
        progress("restoring the database")
        if kind == "sqlite":
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(staging / "database" / "traceiq.db", target)
        else:
            _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--dbname", _libpq_url(url),
                  str(staging / "database" / "traceiq.pgdump")], "pg_restore")
        upgrade_to_head(url)
        progress("restoring artifacts")
        count = 0
        notes: list[str] = []
        source = staging / "artifacts"
        if source.is_dir():
            for path in _files(source):
                dest = settings.artifacts_dir / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, dest)
                count += 1
        if (staging / "artifacts-s3.json").is_file():
            listed = json.loads((staging / "artifacts-s3.json").read_text())
            notes.append(f"artifacts are in S3 bucket {listed['bucket']!r} ({len(listed['objects'])} object(s)): "
                         "point S3_* at that bucket or restore it with your S3 tooling")
        key_file = settings.data_dir / "secret.key"
        key_file.write_text(secret)
        key_file.chmod(0o600)
    return BackupSummary(archive, kind, revision, len(manifest["files"]), count, archive.stat().st_size, notes)


def _files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*")) if p.is_file())
