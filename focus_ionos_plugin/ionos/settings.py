"""Where the IONOS provider reads its settings: credentials, API address, contract, limits.

Credentials come only from the environment (``Context.settings``), the way the IONOS SDKs
take them: ``IONOS_TOKEN`` (sent as a Bearer token) first, otherwise ``IONOS_USERNAME`` and
``IONOS_PASSWORD`` (HTTP Basic). Choices that are not secret may also come from the
command line through ``Context.options``; an option beats the environment, which beats the
default.

================================  =================  ==========================================
environment variable              option key         meaning
================================  =================  ==========================================
``IONOS_TOKEN``                   (none)             API token (Bearer); wins over user/password
``IONOS_USERNAME``                (none)             login e-mail for HTTP Basic
``IONOS_PASSWORD``                (none)             password for HTTP Basic
``IONOS_API_URL``                 ``base_url``       API address (rule below)
``IONOS_CONTRACT_NUMBER``         ``contract``       contract to read (digits, zeros kept)
``FOCUS_IONOS_MAX_IN_FLIGHT``     ``max_in_flight``  requests in flight at once (default 8)
``FOCUS_IONOS_TIMEOUT``           ``timeout``        seconds per request (default 60)
``FOCUS_IONOS_RETRY_SECONDS``     ``retry_budget``   seconds one call may spend retrying (60)
================================  =================  ==========================================

``IONOS_API_URL`` rule (as the IONOS SDKs read it): a host, optionally with a scheme, port
and path prefix. ``https://`` is added when no scheme is given, and ``/billing`` is appended
unless the path already ends with it: ``api.ionos.com`` becomes
``https://api.ionos.com/billing``, ``http://127.0.0.1:8080`` becomes
``http://127.0.0.1:8080/billing``. The option ``base_url`` (used by ``--demo``) is taken as
the complete API root, without appending. Either way plain ``http`` is accepted only for
loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``); credentials in the URL are refused.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..context import Settings
from ..errors import AuthenticationError, UsageError

__all__ = [
    "API_URL_ENV",
    "CONTRACT_ENV",
    "DEFAULT_API_URL",
    "MAX_IN_FLIGHT_ENV",
    "PASSWORD_ENV",
    "RETRY_ENV",
    "TIMEOUT_ENV",
    "TOKEN_ENV",
    "USERNAME_ENV",
    "Credentials",
    "IonosSettings",
    "demo_settings",
    "is_loopback",
    "parse_contract",
    "redact",
    "resolve_base_url",
    "resolve_settings",
    "shows_secret",
]

TOKEN_ENV = "IONOS_TOKEN"
USERNAME_ENV = "IONOS_USERNAME"
PASSWORD_ENV = "IONOS_PASSWORD"
API_URL_ENV = "IONOS_API_URL"
CONTRACT_ENV = "IONOS_CONTRACT_NUMBER"
MAX_IN_FLIGHT_ENV = "FOCUS_IONOS_MAX_IN_FLIGHT"
TIMEOUT_ENV = "FOCUS_IONOS_TIMEOUT"
RETRY_ENV = "FOCUS_IONOS_RETRY_SECONDS"

DEFAULT_API_URL = "https://api.ionos.com/billing"
_API_PATH = "/billing"
_MAX_IN_FLIGHT_LIMIT = 64
_REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    """The secret the client sends; ``repr()`` and ``str()`` never show it."""

    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The token goes into the header as is; httpx would refuse it with an error that
        # quotes the header, so refuse it first, without showing it.
        if self.token is not None and not all("!" <= char <= "~" for char in self.token):
            msg = (
                f"{TOKEN_ENV} contains a space, a line break, a control character or a "
                "non-ASCII character, which an HTTP header cannot carry (the value is not "
                "shown). Copy the token again, without quotes or surrounding text"
            )
            raise AuthenticationError(msg)

    @property
    def scheme(self) -> str:
        """``Bearer`` when a token is set, else ``Basic``."""
        return "Bearer" if self.token else "Basic"

    @property
    def source(self) -> str:
        """The environment variables the credentials came from, for messages."""
        return TOKEN_ENV if self.token else f"{USERNAME_ENV}/{PASSWORD_ENV}"

    def authorization(self) -> str:
        """The ``Authorization`` header value. Never log or store it."""
        if self.token:
            return f"Bearer {self.token}"
        import base64

        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def __repr__(self) -> str:
        user = f", username={self.username!r}" if not self.token else ""
        return f"Credentials(scheme={self.scheme!r}, source={self.source!r}{user}, secret=***)"

    __str__ = __repr__


@dataclass(frozen=True)
class IonosSettings:
    """Everything the IONOS client needs, resolved and checked."""

    base_url: str
    credentials: Credentials
    #: Contract id as the user gave it (digits, leading zeros kept), or None to ask /profile.
    contract: str | None = None
    max_in_flight: int = 8
    #: Seconds one HTTP request may take (connect, send, wait, read).
    timeout: float = 60.0
    #: Attempts per call, the first included, for retryable failures.
    max_attempts: int = 5
    #: Seconds one call may spend in attempts and waits before giving up (time queued
    #: for a free in-flight slot excluded); one attempt may take at least ``timeout``.
    retry_budget: float = 60.0


def resolve_settings(settings: Mapping[str, str], options: Mapping[str, Any]) -> IonosSettings:
    """Build :class:`IonosSettings` from ``Context.settings`` and ``Context.options``."""
    credentials = _credentials(settings)
    if options.get("base_url"):
        base_url = _checked_url(str(options["base_url"]), "the demo server address", False)
    else:
        base_url = resolve_base_url(_env(settings, API_URL_ENV))
    contract_option = options.get("contract")
    if contract_option:
        contract: str | None = parse_contract(str(contract_option), "--contract")
    elif _env(settings, CONTRACT_ENV):
        contract = parse_contract(_env(settings, CONTRACT_ENV) or "", CONTRACT_ENV)
    else:
        contract = None
    return IonosSettings(
        base_url=base_url,
        credentials=credentials,
        contract=contract,
        max_in_flight=_bounded_int(
            _pick(options, "max_in_flight", settings, MAX_IN_FLIGHT_ENV),
            "--max-in-flight",
            MAX_IN_FLIGHT_ENV,
            default=8,
        ),
        timeout=_positive_seconds(
            _pick(options, "timeout", settings, TIMEOUT_ENV), "--timeout", TIMEOUT_ENV, 60.0
        ),
        retry_budget=_positive_seconds(
            _pick(options, "retry_budget", settings, RETRY_ENV), "retry budget", RETRY_ENV, 60.0
        ),
    )


def resolve_base_url(value: str | None) -> str:
    """The API root for an ``IONOS_API_URL`` value (see the module docstring for the rule)."""
    if value is None or not value.strip():
        return DEFAULT_API_URL
    return _checked_url(value.strip(), API_URL_ENV, True)


def _checked_url(value: str, source: str, append_api_path: bool) -> str:
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if "@" in parts.netloc:
        # The value is not echoed: it holds a secret.
        msg = (
            f"{source} must not contain credentials (user:password@host); "
            f"set {TOKEN_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}, instead"
        )
        raise UsageError(msg)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        msg = f"{source}={value!r} is not a valid address: {exc}"
        raise UsageError(msg) from exc
    if scheme not in {"http", "https"} or not host:
        msg = f"{source}={value!r} must be an https address such as api.ionos.com"
        raise UsageError(msg)
    if parts.query or parts.fragment:
        # The value is not echoed: a query may hold a secret.
        msg = f"{source} must not have a query (?...) or fragment (#...); give the host only"
        raise UsageError(msg)
    if scheme == "http" and not is_loopback(host):
        msg = (
            f"{source}={value!r} uses plain http, which is only accepted for loopback "
            "addresses (localhost, 127.0.0.1, ::1); use https"
        )
        raise UsageError(msg)
    path = parts.path.rstrip("/")
    if append_api_path and not path.endswith(_API_PATH):
        path += _API_PATH
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{path}"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_contract(value: str, source: str) -> str:
    """Check a contract id (digits only) and return it as given, leading zeros kept."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12 or int(text) == 0:
        msg = (
            f"{source}={value!r} is not an IONOS contract number; "
            "give the digits as shown in the billing profile, e.g. 031000000"
        )
        raise UsageError(msg)
    return text


def _credentials(settings: Mapping[str, str]) -> Credentials:
    token = _env(settings, TOKEN_ENV)
    if token:
        # A token pasted from a file or a terminal often carries a line break.
        return Credentials(token=token.strip())
    username = _env(settings, USERNAME_ENV)
    password = _env(settings, PASSWORD_ENV)
    if username and password:
        return Credentials(username=username, password=password)
    if username or password:
        missing = PASSWORD_ENV if username else USERNAME_ENV
        msg = f"IONOS credentials are incomplete: {missing} is not set (or set {TOKEN_ENV})"
        raise AuthenticationError(msg)
    msg = (
        f"no IONOS credentials: set {TOKEN_ENV} to an API token (DCD > Management > Token "
        f"Management, or 'ionosctl token generate'), or {USERNAME_ENV} and {PASSWORD_ENV}. "
        "To try the tool without an account, add --demo"
    )
    raise AuthenticationError(msg)


def _env(settings: Mapping[str, str], name: str) -> str | None:
    value = settings.get(name)
    return value if value and value.strip() else None


def _pick(options: Mapping[str, Any], key: str, settings: Mapping[str, str], env: str) -> Any:
    value = options.get(key)
    return value if value is not None else _env(settings, env)


def _bounded_int(value: Any, option: str, env: str, *, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= _MAX_IN_FLIGHT_LIMIT:
        msg = (
            f"{option} / {env} = {value!r} must be a whole number from 1 to {_MAX_IN_FLIGHT_LIMIT}"
        )
        raise UsageError(msg)
    return number


def _positive_seconds(value: Any, option: str, env: str, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        msg = f"{option} / {env} = {value!r} must be a number of seconds greater than 0"
        raise UsageError(msg)
    return seconds


@contextmanager
def demo_settings(settings: Mapping[str, str]) -> Iterator[tuple[Settings, dict[str, Any]]]:
    """Start the embedded fake Billing API; yield settings and options that point at it.

    The user's own IONOS credentials, API address and contract are dropped, so a demo run
    can never send them anywhere; the fake server's dummy token is used instead. Use the
    yielded options as ``Context.options`` entries (``base_url``).
    """
    from .demo.server import demo_server

    private = {TOKEN_ENV, USERNAME_ENV, PASSWORD_ENV, API_URL_ENV, CONTRACT_ENV}
    with demo_server() as (base_url, token):
        values = {key: value for key, value in settings.items() if key not in private}
        values[TOKEN_ENV] = token
        yield Settings(values), {"base_url": base_url, "demo": True}


def redact(text: str, credentials: Credentials) -> str:
    """``text`` with any secret of ``credentials`` replaced by ``***`` (defence in depth).

    Secrets are also found as ``repr()`` shows them (escaped, or as bytes), the way error
    messages of httpx and h11 quote a header.
    """
    secrets = [credentials.token, credentials.password]
    if not credentials.token and credentials.password:
        secrets.append(credentials.authorization().split(" ", 1)[1])
    for secret in filter(None, secrets):
        for form in (secret, repr(secret)[1:-1], repr(secret.encode("utf-8"))[2:-1]):
            text = text.replace(form, _REDACTED)
    return text


def shows_secret(text: str, credentials: Credentials) -> bool:
    """True when ``text`` shows a secret of ``credentials`` (in any form :func:`redact` finds)."""
    return redact(text, credentials) != text
