"""Every setting is documented in docs/configuration.md (as datasette does for its settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceiq_app.settings import Settings, env_var_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize("name", env_var_names())
def test_it_documents_every_setting(name: str) -> None:
    assert f"| `{name}` |" in DOC.read_text(), f"{name} is read by traceiq_app/settings.py but missing from {DOC.name}"


def test_it_documents_no_setting_that_does_not_exist() -> None:
    import re

    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", DOC.read_text(), flags=re.M))
    assert documented == set(env_var_names())


def test_it_reads_each_setting_from_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEIQ_WORKERS", "5")
    monkeypatch.setenv("TRACEIQ_PORT", "3123")
    monkeypatch.setenv("REDIS_URL", "redis://example:6380/1")
    settings = Settings()
    assert (settings.workers, settings.port, settings.redis_url) == (5, 3123, "redis://example:6380/1")
    assert settings.uses_embedded_redis is False


def test_it_rejects_a_bad_value_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("TRACEIQ_WORKERS", "many")
    with pytest.raises(ValidationError, match="TRACEIQ_WORKERS"):
        Settings()


def test_it_defaults_to_embedded_services_under_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in env_var_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url_effective == f"sqlite:///{tmp_path.resolve()}/traceiq.db"
    assert settings.redis_url_effective == f"unix://{tmp_path.resolve()}/redis/redis.sock"
    assert settings.workers == 2 and settings.port == 3000


def test_it_generates_and_keeps_a_secret_key_when_none_is_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRACEIQ_SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path))
    first = Settings().secret_key_effective()
    assert len(first) >= 48 and first == Settings().secret_key_effective()
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_it_refuses_production_mode_with_the_published_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from traceiq_app.settings import DEFAULT_SECRET_KEY, InsecureSettingsError, check_production_safety

    monkeypatch.setenv("TRACEIQ_SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(InsecureSettingsError):
        check_production_safety(Settings())
    monkeypatch.setenv("TRACEIQ_MODE", "development")
    check_production_safety(Settings())
