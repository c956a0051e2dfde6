"""Outgoing HTTP for notification channels, with an SSRF guard.

- Only http(s) URLs, no credentials in the URL.
- The host name is resolved ONCE; every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved or unspecified) unless TRACEIQ_WEBHOOK_ALLOW_PRIVATE
  is on or the host / address is in TRACEIQ_WEBHOOK_ALLOWED_HOSTS (names, IPs or CIDRs).
- The request then connects to the checked address (the URL's host is kept in the Host header
  and as the TLS server name), so a DNS answer that changes between check and connect
  (DNS rebinding) cannot reach another address.
- No redirects are followed; the response body is read up to MAX_RESPONSE_BYTES; the whole
  request is bounded by TRACEIQ_WEBHOOK_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from traceiq_app.settings import get_settings

MAX_RESPONSE_BYTES = 64 * 1024
EXCERPT_CHARS = 500

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValueError):
    """The URL may not be called (bad scheme, private address, unresolvable host)."""


@dataclass(frozen=True)
class Response:
    status_code: int
    elapsed_ms: int
    excerpt: str
    retry_after_s: float | None


def _allowlist() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for raw in get_settings().webhook_allowed_hosts.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.rstrip("."))
    return names, networks


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified)


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL a channel may store; raises OutboundRefused with the reason."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise OutboundRefused("the URL has no host")
    if parts.username or parts.password:
        raise OutboundRefused("the URL must not contain a user name or password")
    return parts.scheme, parts.hostname.lower().rstrip("."), port or (443 if parts.scheme == "https" else 80)


def resolve_checked(host: str, port: int) -> IPAddress:
    """The one address to connect to: resolved once and checked against the policy."""
    settings = get_settings()
    names, networks = _allowlist()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"cannot resolve {host}: {exc}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        raise OutboundRefused(f"cannot resolve {host}")
    allowed_by_name = host in names
    for addr in addresses:
        if settings.webhook_allow_private or allowed_by_name or is_public(addr):
            continue
        if any(addr in net for net in networks):
            continue
        raise OutboundRefused(
            f"{host} resolves to {addr}, a private/loopback/link-local address; an administrator can allow "
            "it with TRACEIQ_WEBHOOK_ALLOWED_HOSTS or TRACEIQ_WEBHOOK_ALLOW_PRIVATE")
    return addresses[0]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` through the guard. Raises OutboundRefused (policy) or
    httpx.HTTPError (network, timeout)."""
    scheme, host, port = check_url(url)
    address = resolve_checked(host, port)
    parts = urlsplit(url.strip())
    ip_host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{ip_host}:{port}"
    target = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    all_headers = {"Content-Type": "application/json", "User-Agent": "TraceIQ-Webhooks/1", **headers,
                   "Host": host_header}
    timeout = get_settings().webhook_timeout_seconds
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    started = time.monotonic()
    deadline = started + timeout
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False) as client:
        request = client.build_request("POST", target, content=body, headers=all_headers, extensions=extensions)
        response = client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
                    break
        finally:
            response.close()
    elapsed_ms = int((time.monotonic() - started) * 1000)
    text = b"".join(chunks)[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
    return Response(response.status_code, elapsed_ms, text[:EXCERPT_CHARS],
                    _retry_after(response.headers.get("retry-after")))
