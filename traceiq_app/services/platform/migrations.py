"""Apply the database migrations from Python (`traceiq migrate`, and every process on start).

Works from any working directory: the alembic scripts are found next to the package
(`<repo>/alembic`, the layout of a source checkout, an editable install and the container
image). Safe to call from several processes at once (see alembic/env.py).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

_PACKAGE_DIR = Path(__file__).resolve().parents[2]  # traceiq_app/ (this file: services/platform/)


def project_root() -> Path:
    """The directory holding `alembic.ini` and `alembic/`."""
    for candidate in (_PACKAGE_DIR.parent, Path.cwd()):
        # (site-packages/alembic is the alembic library: it has no env.py or versions/.)
        if (candidate / "alembic" / "env.py").is_file() and (candidate / "alembic" / "versions").is_dir():
            return candidate
    raise FileNotFoundError(
        f"alembic migrations not found next to {_PACKAGE_DIR} (expected {_PACKAGE_DIR.parent / 'alembic'})"
    )


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An alembic Config that does not depend on the cwd and leaves logging alone."""
    root = project_root()
    ini = root / "alembic.ini"
    cfg = Config(str(ini)) if ini.is_file() else Config()
    cfg.set_main_option("script_location", str(root / "alembic"))
    cfg.attributes["configure_logger"] = False
    if url:
        # Passed as an attribute, not a main option: ConfigParser would choke on '%' in URLs.
        cfg.attributes["url"] = url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_to_head(url: str | None = None) -> None:
    """Migrate the database at `url` (default: settings.database_url_effective) to head."""
    command.upgrade(alembic_config(url), "head")


def downgrade(url: str | None, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the connected database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
