"""Async client for the IONOS Cloud Billing API (httpx): auth, limits, retries, exact JSON.

One :class:`BillingClient` serves a whole run. It

* sends the credentials of :class:`~.settings.Credentials` (Bearer token, else Basic) and
  never writes them anywhere: not in logs (any level), messages, files or ``repr()``;
* keeps at most ``max_in_flight`` requests on the wire (a semaphore held only while a
  request is in flight, not while waiting to retry);
* retries connection failures, timeouts and HTTP 429/502/503/504 with exponential backoff
  and jitter, honouring ``Retry-After``, for at most ``max_attempts`` attempts and
  ``retry_budget`` seconds per call (attempts and waits; not the time queued for a slot).
  One attempt ends after ``max(retry budget left, timeout)`` seconds even when the server
  keeps sending a byte now and then;
* fails at once on 401 (saying which variables to check), raises
  :class:`AccessDeniedError` on 403, returns 404 to callers that treat it as "no data",
  and raises :class:`~focus_ionos_plugin.errors.ApiError` for any other status;
* parses bodies with exact decimals (refusing ``NaN``, ``Infinity`` and numbers of 10**20
  or more, see :func:`.payloads.parse_payload`) and checks them against ``schemas/ionos``
  (:mod:`.payloads`), raising :class:`~focus_ionos_plugin.errors.PayloadError` naming the
  endpoint for a body that is not JSON or has the wrong shape;
* logs one INFO line per HTTP attempt: method, path (query values of secret-looking
  parameters masked), status and duration. Nothing else about a request is logged.

``sleep``, ``clock`` and ``jitter`` are injectable so tests of waits run in no time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx

from .. import __version__
from ..errors import ApiError, AuthenticationError, PayloadError, ProviderError
from .payloads import parse_payload, validate_payload
from .settings import API_URL_ENV, IonosSettings, is_loopback, redact, shows_secret

__all__ = [
    "RETRY_STATUSES",
    "AccessDeniedError",
    "ApiResponse",
    "BillingClient",
    "contract_path",
    "public_url",
]

log = logging.getLogger(__name__)

#: HTTP statuses worth another attempt (rate limit, gateway trouble).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Failures on the wire worth another attempt; other httpx errors fail at once.
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: First backoff wait and the longest single wait, in seconds.
_BACKOFF_BASE = 0.5
_BACKOFF_MAX = 8.0
_SECRET_WORDS = ("token", "password", "secret", "key", "auth", "signature", "credential")


class AccessDeniedError(ApiError):
    """HTTP 403: the credentials are valid but may not read this endpoint."""


@dataclass(frozen=True)
class ApiResponse:
    """One successful (or 404) answer: the exact body, its parsed form, the server date."""

    endpoint: str
    request_path: str
    status: int
    body: bytes = field(repr=False)
    data: Any = field(repr=False, default=None)
    #: The server's clock (HTTP ``Date`` header), when it sent one.
    date: datetime | None = None


@dataclass
class _Timing:
    """How long one attempt took by the client's clock (queueing for a slot excluded)."""

    seconds: float = 0.0


def contract_path(contract: str) -> str:
    """The contract as the API wants it in paths: an integer, leading zeros dropped."""
    return str(int(contract))


class BillingClient:
    """The IONOS Billing API, one method per endpoint the converter needs."""

    def __init__(
        self,
        settings: IonosSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._slots = asyncio.Semaphore(settings.max_in_flight)
        self._in_flight = 0
        #: Most requests that were on the wire at the same time so far.
        self.peak_in_flight = 0
        #: HTTP attempts made so far (retries included).
        self.attempts = 0
        host = urlsplit(settings.base_url).hostname or ""
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(
                max_connections=settings.max_in_flight,
                max_keepalive_connections=settings.max_in_flight,
            ),
            headers={"Accept": "application/json", "User-Agent": f"focus-ionos/{__version__}"},
            follow_redirects=False,
            # Proxy settings from the environment apply to the real API, never to loopback.
            trust_env=not is_loopback(host),
        )

    def __repr__(self) -> str:
        return (
            f"BillingClient(base_url={self.settings.base_url!r}, "
            f"credentials={self.settings.credentials!r}, "
            f"max_in_flight={self.settings.max_in_flight})"
        )

    async def __aenter__(self) -> BillingClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    # -- endpoints ----------------------------------------------------------------------

    async def profile(self) -> ApiResponse:
        """``GET /profile``: the contracts the credentials can see."""
        return await self.get("GET /profile", "/profile", schema="profile")

    async def products(self, contract: str, date: str) -> ApiResponse:
        """``GET /{contract}/products?date=``: the price list valid on ``date``."""
        return await self.get(
            "GET /{contract}/products",
            f"/{contract_path(contract)}/products",
            {"date": date},
            schema="products",
            period=date[:7],
        )

    async def invoices(self, contract: str) -> ApiResponse:
        """``GET /{contract}/invoices``: all invoice headers (403 without invoice access)."""
        return await self.get(
            "GET /{contract}/invoices",
            f"/{contract_path(contract)}/invoices",
            schema="invoices",
            missing_ok=True,
        )

    async def invoice(self, contract: str, invoice_id: str, *, period: str) -> ApiResponse:
        """``GET /{contract}/invoices/{id}``: one invoice with its lines."""
        return await self.get(
            "GET /{contract}/invoices/{id}",
            f"/{contract_path(contract)}/invoices/{quote(invoice_id, safe='')}",
            schema="invoice",
            period=period,
        )

    async def usage(self, contract: str, period: str) -> ApiResponse:
        """``GET /{contract}/usage?period=``: quantity per datacenter and meter."""
        return await self._period_call(
            "GET /{contract}/usage",
            f"/{contract_path(contract)}/usage",
            period,
            "usage",
            params={"period": period},
        )

    async def utilization(self, contract: str, period: str) -> ApiResponse:
        """``GET /{contract}/utilization/{period}``: quantity per resource for a month."""
        return await self._period_call(
            "GET /{contract}/utilization/{period}",
            f"/{contract_path(contract)}/utilization/{period}",
            period,
            "utilization",
        )

    async def utilization_daily(self, contract: str, day: str) -> ApiResponse:
        """``GET /{contract}/utilization/daily/{date}``: quantity per resource for a day."""
        return await self._period_call(
            "GET /{contract}/utilization/daily/{date}",
            f"/{contract_path(contract)}/utilization/daily/{day}",
            day[:7],
            "utilization",
        )

    async def traffic(self, contract: str, period: str, *, by_ip: bool = False) -> ApiResponse:
        """``GET /{contract}/traffic/{period}?output=obj``: bytes per VDC (or IP) and day."""
        params = {"ip": "true", "output": "obj"} if by_ip else {"output": "obj"}
        return await self._period_call(
            "GET /{contract}/traffic/{period}",
            f"/{contract_path(contract)}/traffic/{period}",
            period,
            "traffic",
            params=params,
        )

    async def evn(self, contract: str, period: str) -> ApiResponse:
        """``GET /{contract}/evn/{period}``: provisioning intervals per resource."""
        return await self._period_call(
            "GET /{contract}/evn/{period}",
            f"/{contract_path(contract)}/evn/{period}",
            period,
            "evn",
        )

    async def _period_call(
        self,
        endpoint: str,
        path: str,
        period: str,
        schema: str,
        params: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        return await self.get(endpoint, path, params, schema=schema, period=period, missing_ok=True)

    # -- one call: status handling and payload checks --------------------------------------

    async def get(
        self,
        endpoint: str,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        schema: str,
        period: str | None = None,
        missing_ok: bool = False,
    ) -> ApiResponse:
        """GET ``path`` (relative to the API root) and return the checked answer.

        :param endpoint: the operation, for messages and manifests (``GET /{contract}/evn``).
        :param schema: the :mod:`.payloads` schema the body must match.
        :param period: the billing period the call is for (named in messages).
        :param missing_ok: return a 404 answer (empty body) instead of raising.
        """
        request_path = path + ("?" + urlencode(dict(params)) if params else "")
        response = await self._request(endpoint, request_path, period)
        status = response.status_code
        date = _server_date(response)
        if status == 404 and missing_ok:
            return ApiResponse(endpoint, request_path, 404, b"", None, date)
        if not 200 <= status < 300:
            raise self._status_error(endpoint, request_path, period, response)
        body = response.content
        try:
            data = parse_payload(body)
        except ValueError as exc:
            if not body.strip():
                what = "an empty body"
            else:
                # The reason names a position or a number literal, never the credentials.
                what = f"a body that is not JSON, or not exact JSON ({self._clean(exc)})"
            msg = (
                f"IONOS Billing API {endpoint} ({_loggable(request_path)}) answered "
                f"HTTP {status} with {what}{_for(period)}; the answer was cut short or the "
                "address is not the Billing API. Try again, and check " + API_URL_ENV
            )
            raise PayloadError(msg) from None
        validate_payload(schema, data, endpoint=f"{endpoint} ({request_path})", period=period)
        return ApiResponse(endpoint, request_path, status, body, data, date)

    def _status_error(
        self, endpoint: str, request_path: str, period: str | None, response: httpx.Response
    ) -> ProviderError:
        status = response.status_code
        shown = _loggable(request_path)
        where = f"IONOS Billing API {endpoint} ({shown}){_for(period)}"
        credentials = self.settings.credentials
        if status == 401:
            msg = (
                f"{where} refused the credentials (HTTP 401). Check {credentials.source}: "
                f"the {'token may have expired or' if credentials.token else 'login may'} "
                f"be wrong. Create a new token in DCD > Management > Token Management, and "
                f"check {API_URL_ENV} points at the IONOS API"
            )
            return AuthenticationError(msg)
        if status == 403:
            msg = (
                f"{where} answered HTTP 403: the credentials may not read this data. Ask "
                "the contract owner for billing (and invoice) access"
            )
            return AccessDeniedError(msg, endpoint=endpoint, status=status)
        if 300 <= status < 400:
            hint = f"it redirects; check {API_URL_ENV}"
        elif status in {404, 422}:
            hint = "check the contract number and the period"
        elif status >= 500:
            hint = "the API failed; try again later"
        else:
            hint = "the request was rejected"
        msg = f"{where} answered HTTP {status} {response.reason_phrase}: {hint}"
        return ApiError(msg, endpoint=endpoint, status=status)

    # -- one call: attempts, waits and the in-flight bound -------------------------------

    async def _request(
        self, endpoint: str, request_path: str, period: str | None
    ) -> httpx.Response:
        settings = self.settings
        where = f"IONOS Billing API {endpoint} ({_loggable(request_path)}){_for(period)}"
        #: Seconds this call spent in attempts and waits; waiting for a free slot (behind
        #: other calls of the same run) does not count against the retry budget.
        spent = 0.0
        attempt = 0
        while True:
            attempt += 1
            # One attempt may use what is left of the budget, and at least ``timeout``: a
            # server that trickles bytes (each read within ``timeout``) cannot hold it longer.
            deadline = max(settings.retry_budget - spent, settings.timeout)
            timing = _Timing()
            try:
                response = await self._send(request_path, deadline, timing)
            except _RETRY_ERRORS as exc:
                exc_seen: Exception | None = exc
                failure = f"failed ({type(exc).__name__}: {self._clean(exc)})"
                wait = self._backoff(attempt)
                status: int | None = None
                cause: Exception | None = self._safe_cause(exc)
                asked = None
            except httpx.HTTPError as exc:
                msg = f"{where} failed: {type(exc).__name__}: {self._clean(exc)}"
                raise ApiError(msg, endpoint=endpoint) from self._safe_cause(exc)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                status = response.status_code
                failure = f"answered HTTP {status}"
                asked = _retry_after(response)
                wait = self._backoff(attempt) if asked is None else asked
                cause = None
                exc_seen = None
            spent += timing.seconds
            if attempt >= settings.max_attempts or spent + wait > settings.retry_budget:
                request = "" if asked is None else f"; the API asked to wait {asked:g} s"
                msg = (
                    f"{where} still {failure} after {attempt} attempts in {spent:.1f} s "
                    f"(limits: {settings.max_attempts} attempts, {settings.retry_budget:g} s"
                    f"{request}). "
                )
                if isinstance(exc_seen, httpx.ConnectError):
                    # Refused, unknown host, TLS handshake: nothing answered at all.
                    msg += (
                        f"The API at {public_url(settings.base_url)} cannot be reached: "
                        f"check {API_URL_ENV} and the network (proxy, DNS, firewall)"
                    )
                else:
                    msg += (
                        "The API is unavailable or limiting requests: try again later, or "
                        "lower --max-in-flight"
                        + (
                            ", or raise --timeout"
                            if isinstance(exc_seen, httpx.TimeoutException)
                            else ""
                        )
                    )
                raise ApiError(msg, endpoint=endpoint, status=status) from cause
            log.debug(
                "retrying GET %s in %.2f s (attempt %d of %d)",
                _loggable(request_path),
                wait,
                attempt + 1,
                settings.max_attempts,
            )
            started = self._clock()
            await self._sleep(wait)
            spent += self._clock() - started

    async def _send(self, request_path: str, deadline: float, timing: _Timing) -> httpx.Response:
        """One attempt within ``deadline`` seconds; its duration goes to ``timing``."""
        headers = {"Authorization": self.settings.credentials.authorization()}
        async with self._slots:
            self._in_flight += 1
            self.attempts += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            clock_started = self._clock()
            started = time.perf_counter()
            try:
                async with asyncio.timeout(deadline):
                    response = await self._http.get(request_path, headers=headers)
            except TimeoutError:
                # Turned into an httpx timeout so that it is retried like one.
                exc: Exception = httpx.ReadTimeout(f"no complete answer within {deadline:g} s")
                self._log_failure(request_path, exc, started)
                raise exc from None
            except httpx.HTTPError as exc:
                self._log_failure(request_path, exc, started)
                raise
            except UnicodeEncodeError:
                msg = (
                    f"the credentials in {self.settings.credentials.source} contain a "
                    "character an HTTP header cannot carry (the value is not shown)"
                )
                raise AuthenticationError(msg) from None
            finally:
                self._in_flight -= 1
                timing.seconds = self._clock() - clock_started
        log.info(
            "GET %s %d %.3f s",
            _loggable(request_path),
            response.status_code,
            time.perf_counter() - started,
        )
        return response

    @staticmethod
    def _log_failure(request_path: str, exc: Exception, started: float) -> None:
        log.info(
            "GET %s failed (%s) after %.3f s",
            _loggable(request_path),
            type(exc).__name__,
            time.perf_counter() - started,
        )

    def _safe_cause(self, exc: Exception) -> Exception | None:
        """``exc`` to chain to our error, or None when its text shows a secret.

        httpx quotes an invalid header in its message; chaining such an exception would
        print the credentials in a ``--debug`` traceback.
        """
        return None if shows_secret(str(exc), self.settings.credentials) else exc

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random."""
        ceiling: float = min(_BACKOFF_MAX, _BACKOFF_BASE * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2

    def _clean(self, exc: Exception) -> str:
        return redact(str(exc), self.settings.credentials)[:200]


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked to wait (``Retry-After`` as seconds or HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _server_date(response: httpx.Response) -> datetime | None:
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to show in a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def _loggable(request_path: str) -> str:
    """``request_path`` with the values of secret-looking query parameters masked."""
    path, _, query = request_path.partition("?")
    if not query:
        return path
    shown = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and any(word in name.lower() for word in _SECRET_WORDS):
            value = "***"
        shown.append(f"{name}{sep}{value}")
    return f"{path}?{'&'.join(shown)}"


def _for(period: str | None) -> str:
    return f" for period {period}" if period else ""
