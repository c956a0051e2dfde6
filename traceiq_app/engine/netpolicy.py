"""What a test may reach: URL schemes, the host allowlist and address deny rules.

One `NetPolicy` per run, built from RunOptions. The session asks it about every URL the browser
requests (routes, websockets, goto) and the egress proxy asks it about every connection, after
resolving the host name itself (see egress.py), so a name that resolves to a denied address is
refused too.

- Schemes: only http(s) (and ws(s) for websockets) reach the network; about:blank/about:srcdoc
  and the page's own blob:/data: content need none. file:, ftp:, view-source:, chrome: and
  every other scheme are refused.
- Link-local and cloud-metadata addresses are denied unless `allow_link_local`.
- Private and loopback ranges are denied only with `deny_private` (testing a local app on
  127.0.0.1 is the common single-machine case).
- IP literals count in every form a browser accepts: 0xA9FEA9FE, 2852039166, 0251.0376.0251.0376,
  169.254.43518, [::ffff:169.254.169.254], NAT64 and 6to4 forms.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from traceiq_app.engine.urls import host_allowed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

WEB_SCHEMES = frozenset({"http", "https"})
SOCKET_SCHEMES = frozenset({"ws", "wss"})
LOCAL_URLS = frozenset({"about:blank", "about:srcdoc"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

LINK_LOCAL_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "169.254.0.0/16",  # IPv4 link-local: AWS/GCP/Azure/OCI/DigitalOcean metadata at 169.254.169.254
    "fe80::/10",  # IPv6 link-local
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "fd00:ec2::254/128",  # AWS metadata over IPv6
))
METADATA_NAMES = frozenset({
    "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
})
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "127.0.0.0/8", "0.0.0.0/8",  # loopback; 0.0.0.0 reaches local services on Linux
    "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
    "::1/128", "::/128", "fc00::/7",  # IPv6 loopback, unspecified, unique local
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NetPolicyError(ValueError):
    pass


@dataclass
class NetPolicy:
    allowed_hosts: list[str] | None = None
    allow_link_local: bool = False
    deny_private: bool = False
    _resolved: dict[str, list[IPAddress]] = field(default_factory=dict, repr=False)

    @property
    def checks_addresses(self) -> bool:
        return not self.allow_link_local or self.deny_private

    # ---- URLs ---------------------------------------------------------------------------
    def url_problem(self, url: str, resolve: bool = False) -> str | None:
        """Why the browser may not load `url` (None: it may). With `resolve`, host names are
        looked up and every address checked (the egress proxy always does that)."""
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if url in LOCAL_URLS:
            return None
        if scheme in ("blob", "data"):
            return None  # content the page made itself; it reaches no host
        if scheme not in WEB_SCHEMES and scheme not in SOCKET_SCHEMES:
            shown = scheme + ":" if rest or scheme else url
            return f"{shown} URLs are not allowed (only http and https)"
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            return "the URL is not valid"
        return self.host_problem(host, port, scheme, resolve)

    def host_problem(self, host: str, port: int, scheme: str = "http", resolve: bool = True) -> str | None:
        host = host.lower().rstrip(".").strip("[]")
        if not host:
            return "the URL has no host"
        address = parse_ip(host)
        problem = self._name_problem(host, address)
        if problem:
            return problem
        if self.allowed_hosts is not None:
            shown = f"[{host}]" if ":" in host else host
            web_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
            if not host_allowed(f"{web_scheme}://{shown}:{port}/", self.allowed_hosts):
                return f"host {host} is not in the project's allowlist"
        if address is None and resolve and self.checks_addresses:
            for resolved in self.resolve(host):
                why = self.address_problem(resolved)
                if why:
                    return f"{host} resolves to {why}"
        return None

    def _name_problem(self, host: str, address: IPAddress | None) -> str | None:
        if address is not None:
            return self.address_problem(address)
        if not self.allow_link_local and host in METADATA_NAMES:
            return f"{host} is a cloud metadata address (denied unless link-local access is allowed)"
        if self.deny_private and (host == "localhost" or host.endswith(".localhost")):
            return f"{host} is a loopback address (private and loopback addresses are denied)"
        return None

    # ---- addresses ----------------------------------------------------------------------
    def address_problem(self, address: IPAddress) -> str | None:
        for candidate in _with_embedded(address):
            if not self.allow_link_local and any(candidate in n for n in LINK_LOCAL_NETWORKS):
                return (f"{address}, a link-local/cloud metadata address (denied unless link-local "
                        "access is allowed)")
            if self.deny_private and any(candidate in n for n in PRIVATE_NETWORKS):
                return f"{address}, a private or loopback address (private and loopback addresses are denied)"
        return None

    def resolve(self, host: str) -> list[IPAddress]:
        """Every address of `host` (cached for the run); [] when it does not resolve."""
        if host not in self._resolved:
            try:
                infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                infos = []
            found: list[IPAddress] = []
            for info in infos:
                text = str(info[4][0]).split("%", 1)[0]
                try:
                    found.append(ipaddress.ip_address(text))
                except ValueError:
                    continue
            self._resolved[host] = found
        return self._resolved[host]


def _ipv4_literal_origins(urls: list[str]) -> Iterator[tuple[str, str, ipaddress.IPv4Address, int]]:
    """(scheme, host, address, port) of the http(s) URLs among `urls` whose host is an IPv4
    literal in the form the browser writes it (canonical address); the port defaulted."""
    for url in urls:
        try:
            parts = urlsplit(url)
            scheme, host, port = parts.scheme, parts.hostname or "", parts.port
        except ValueError:
            continue
        if scheme not in WEB_SCHEMES or not host or ":" in host:
            continue
        address = parse_ipv4(host)
        if address is None or str(address) != host:
            continue
        yield scheme, host, address, port or DEFAULT_PORTS[scheme]


def route_pattern(urls: list[str], policy: NetPolicy) -> str | re.Pattern[str]:
    """What a context's guard route must see: every URL ("**/*") except those of the origins
    among `urls` whose every request the guard would let through anyway. The guard's answer
    depends only on scheme, host and port; for an http(s) origin whose host is an IPv4 literal
    it needs no name lookup, so it is decided here once instead of on each request (each one a
    round trip through this process while the browser waits). Only origins in the form the
    browser writes them (lower case, canonical address, no default port) are left out; any
    other form still goes through the guard."""
    origins: set[str] = set()
    for scheme, host, _address, port in _ipv4_literal_origins(urls):
        if policy.url_problem(f"{scheme}://{host}:{port}/") is not None:
            continue
        origins.add(f"{scheme}://{host}" + ("" if port == DEFAULT_PORTS[scheme] else f":{port}"))
    if not origins:
        return "**/*"
    return re.compile("^(?!(?:" + "|".join(re.escape(o) for o in sorted(origins)) + ")/)")


def proxy_bypass(urls: list[str], policy: NetPolicy) -> str | None:
    """Chromium proxy bypass rules ("host:port,...") for the egress proxy (egress.py): the
    IPv4-literal host:port pairs among `urls` whose every connection the proxy would let
    through - its check of a literal is the same every time (no name to resolve) - so that
    they connect directly instead of through a thread of this process. None: no such pair."""
    pairs: list[str] = []
    for _scheme, host, address, port in _ipv4_literal_origins(urls):
        # exactly the proxy's own check of a connection to an address literal (EgressProxy._connect)
        if policy.host_problem(host, port, resolve=False) is None and policy.address_problem(address) is None:
            pair = f"{host}:{port}"
            if pair not in pairs:
                pairs.append(pair)
    return ",".join(pairs) or None


def _with_embedded(address: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address carried inside an IPv6 one."""
    out: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            out.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            out.append(address.sixtofour)
        if address in _NAT64 or int(address) >> 32 == 0 and int(address) > 1:  # NAT64, IPv4-compatible
            out.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return out


def parse_ip(host: str) -> IPAddress | None:
    """An IP literal as a browser reads it (WHATWG URL host parsing), or None for a name."""
    host = host.strip("[]").split("%", 1)[0]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return parse_ipv4(host)


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.rstrip(".").split(".") if host else []
    if not parts or len(parts) > 4 or any(p == "" for p in parts):
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    base, digits = 10, part
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        base, digits = 8, part[1:]
    if digits == "":
        return 0
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None
