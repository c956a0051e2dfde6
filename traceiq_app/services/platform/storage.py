"""Artifact storage behind one interface: a local folder (default) or S3/MinIO via `minio`.

Keys are relative, slash-separated paths ("<project>/<run>/<test>/trace.zip"). Nothing here
checks permissions: callers (API routes) authorize before handing out bytes or URLs.
"""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlparse

from traceiq_app.settings import Settings, get_settings


class StorageError(RuntimeError):
    pass


def _check_key(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or "\\" in key:
        raise StorageError(f"invalid artifact key: {key!r}")
    return key


class ArtifactStorage(Protocol):
    name: str

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> int: ...

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> int: ...

    def get_bytes(self, key: str) -> bytes: ...

    def open_stream(self, key: str, chunk_size: int = 65536) -> Iterator[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None: ...

    def check_writable(self) -> None: ...


class LocalStorage:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> int:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".{uuid.uuid4().hex}.part")
        try:
            shutil.copyfile(path, tmp)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk keeps no half-written file
            raise
        tmp.replace(target)  # atomic: readers never see half a file
        return target.stat().st_size

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> int:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".{uuid.uuid4().hex}.part")
        tmp.write_bytes(data)
        tmp.replace(target)
        return len(data)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"artifact not found: {key}") from exc

    def open_stream(self, key: str, chunk_size: int = 65536) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise StorageError(f"artifact not found: {key}")

        def _chunks() -> Iterator[bytes]:
            with path.open("rb") as handle:
                while chunk := handle.read(chunk_size):
                    yield chunk

        return _chunks()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check_writable(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = f".health/{uuid.uuid4().hex}"
        self.put_bytes(probe, b"ok")
        self.delete(probe)


class S3Storage:
    name = "s3"

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str,
                 region: str | None = None, secure: bool = False) -> None:
        from minio import Minio

        parsed = urlparse(endpoint if "://" in endpoint else f"{'https' if secure else 'http'}://{endpoint}")
        self.bucket = bucket
        self.client = Minio(
            parsed.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=parsed.scheme == "https",
            region=region,
        )
        self._bucket_ready = False

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)
        self._bucket_ready = True

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> int:
        self._ensure_bucket()
        self.client.fput_object(self.bucket, _check_key(key), str(path), content_type=content_type)
        return path.stat().st_size

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> int:
        self._ensure_bucket()
        self.client.put_object(self.bucket, _check_key(key), io.BytesIO(data), len(data), content_type=content_type)
        return len(data)

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.open_stream(key))

    def open_stream(self, key: str, chunk_size: int = 65536) -> Iterator[bytes]:
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, _check_key(key))
        except S3Error as exc:
            raise StorageError(f"artifact not found: {key} ({exc.code})") from exc

        def _chunks() -> Iterator[bytes]:
            try:
                yield from response.stream(chunk_size)
            finally:
                response.close()
                response.release_conn()

        return _chunks()

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, _check_key(key))
            return True
        except S3Error:
            return False

    def size(self, key: str) -> int:
        return int(self.client.stat_object(self.bucket, _check_key(key)).size or 0)

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, _check_key(key))

    def presigned_url(self, key: str, expires: timedelta = timedelta(minutes=5)) -> str:
        return self.client.presigned_get_object(self.bucket, _check_key(key), expires=expires)

    def check_writable(self) -> None:
        self._ensure_bucket()
        probe = f".health/{uuid.uuid4().hex}"
        self.put_bytes(probe, b"ok")
        self.delete(probe)


def storage_from_settings(settings: Settings) -> ArtifactStorage:
    if settings.s3_endpoint:
        if not (settings.s3_access_key and settings.s3_secret_key):
            raise StorageError("S3_ENDPOINT is set but S3_ACCESS_KEY / S3_SECRET_KEY are missing")
        return S3Storage(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                         settings.s3_bucket, settings.s3_region, settings.s3_secure)
    return LocalStorage(settings.artifacts_dir)


@lru_cache(maxsize=1)
def get_storage() -> ArtifactStorage:
    return storage_from_settings(get_settings())
