"""URL rules: relative URLs, rebasing onto --base-url, host allowlists, popup URL matching."""

from __future__ import annotations

import fnmatch
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from traceiq_app.engine.errors import StepFailed

_DEFAULT_PORTS = {"http": 80, "https": 443}


def resolve_url(url: str, override_base: str | None, test_base: str | None) -> str:
    """Relative URLs join the base; with an override base, absolute http(s) URLs move onto its
    origin (path, query and fragment kept) so a test recorded on prod runs against staging."""
    parts = urlsplit(url)
    if parts.scheme:
        if override_base and parts.scheme in _DEFAULT_PORTS:
            return rebase(url, override_base)
        return url
    base = override_base or test_base
    if not base:
        raise StepFailed(f"relative URL {url!r} needs a base URL: choose an environment for the run or set the "
                         "project's base URL (or the test's)")
    return urljoin(base, url)


def rebase(url: str, base: str) -> str:
    target, origin = urlsplit(url), urlsplit(base)
    return urlunsplit((origin.scheme, origin.netloc, target.path, target.query, target.fragment))


_HOSTLESS_SCHEMES = ("about", "blob", "data")


def host_allowed(url: str, allowed: list[str] | None) -> bool:
    """Entries: host names ("example.com"), wildcards ("*.example.com"), host:port, and IPv6
    in brackets ("[::1]", "[::1]:8080"). None allows every http(s) host. URLs that reach no
    host (about:, blob:, data:) pass; every other scheme (file:, ftp:, view-source:, chrome:...)
    never does. Address deny rules are netpolicy.py's."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        return parts.scheme in _HOSTLESS_SCHEMES
    if allowed is None:
        return True
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False  # a port Chromium would reject anyway
    for entry in allowed:
        name, entry_port = _parse_entry(entry.strip().lower())
        if entry_port is not None and entry_port != str(port):
            continue
        if name == host or (":" not in name and fnmatch.fnmatchcase(host, name)):
            return True
    return False


def _parse_entry(entry: str) -> tuple[str, str | None]:
    if entry.startswith("["):
        end = entry.find("]")
        rest = entry[end + 1:]
        return entry[1:end], (rest[1:] if rest.startswith(":") else None)
    if entry.count(":") == 1:
        name, port = entry.split(":")
        return name, port
    return entry, None  # a plain name, or a bare IPv6 address


def url_pattern(pattern: str) -> re.Pattern[str]:
    """The one URL matcher of wait_for url, assert_url, expect_navigation, switch_popup and a
    step's `page`. With no '*' the URL must be equal (a trailing slash ignored). Otherwise a glob,
    as in Playwright: `**` matches anything (slashes too), `*` anything but '/'; every other
    character, `?` included, is literal. The whole URL must match (anchored both ends)."""
    if "*" not in pattern:
        return re.compile("^" + re.escape(pattern.rstrip("/")) + "/?$")
    parts = re.split(r"(\*\*+|\*)", pattern)
    body = "".join(".*" if p.startswith("**") else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return re.compile("^" + body + "$")


def url_matches(pattern: str, url: str) -> bool:
    return url_pattern(pattern).search(url) is not None
