"""A fake IONOS Billing API: a real HTTP server on loopback that serves a demo account.

Tests and the ``--demo`` flag start it in-process::

    with FakeBillingApi() as api:             # the shipped demo account
        client = make_client(api.base_url, token=DEMO_TOKEN)
        api.inject(r"/usage$", "status", status=503, times=2)

It listens on 127.0.0.1 with a free port, serves the paths of the real API (see
:mod:`.routes`) under ``/billing`` and also without that prefix, needs an ``Authorization``
header (Bearer or Basic), and can inject faults per path. It records every request and the
peak number of requests served at once, so tests can check a client's concurrency bound.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .account import DemoAccount
from .jsontext import dumps
from .keys import BillingData
from .routes import Answer, answer
from .shipped import load_shipped_account

__all__ = [
    "DEMO_TOKEN",
    "FAULT_KINDS",
    "FakeBillingApi",
    "Fault",
    "RequestRecord",
    "demo_server",
]

logger = logging.getLogger(__name__)

#: The token the demo uses. It is not a secret: the fake server only exists on loopback.
DEMO_TOKEN = "focus-ionos-demo-token"

#: Fault kinds :meth:`FakeBillingApi.inject` understands.
FAULT_KINDS = ("latency", "status", "malformed_json", "truncated_body", "disconnect", "body")

_PREFIX = "/billing"
_MALFORMED = b'{"metadata": {"contractId": "031000777",, "datacenters": [<html>502</html>'
_SERVER_NAME = "focus-ionos-fake-billing-api"


class RequestRecord(NamedTuple):
    """One request the fake API answered: path relative to the API root, raw query."""

    method: str
    path: str
    query: str
    status: int


@dataclass
class Fault:
    """An injected fault: applies to requests whose path matches ``pattern``.

    ``times`` limits how many requests it affects (None: all); ``hits`` counts them.
    """

    pattern: re.Pattern[str]
    kind: str
    times: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    hits: int = 0

    @property
    def spent(self) -> bool:
        """True once the fault has affected ``times`` requests."""
        return self.times is not None and self.hits >= self.times


def _check_fault(kind: str, params: dict[str, Any]) -> None:
    allowed = {
        "latency": {"seconds"},
        "status": {"status", "retry_after", "body"},
        "malformed_json": {"status"},
        "truncated_body": set(),
        "disconnect": set(),
        "body": {"body", "status"},
    }
    if kind not in allowed:
        msg = f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}"
        raise ValueError(msg)
    unknown = set(params) - allowed[kind]
    if unknown:
        msg = f"fault {kind!r} takes {sorted(allowed[kind])}, not {sorted(unknown)}"
        raise ValueError(msg)
    if kind == "latency" and "seconds" not in params:
        raise ValueError("fault 'latency' needs seconds=")
    if kind == "status" and "status" not in params:
        raise ValueError("fault 'status' needs status=")
    if kind == "body" and "body" not in params:
        raise ValueError("fault 'body' needs body= (bytes, or a JSON value)")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Concurrent clients open many connections at once; the default backlog of 5 makes
    # some of them wait a second for a retransmitted SYN.
    request_queue_size = 128
    # Idle keep-alive connections must not make shutdown wait.
    block_on_close = False
    api: FakeBillingApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug(
            "fake billing API: connection from %s ended with an error",
            client_address,
            exc_info=True,
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY every reply after the
    # first on a keep-alive connection waits for the peer's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server_version = _SERVER_NAME
    sys_version = ""
    timeout = 30
    server: _Server
    #: The request being answered, until it is recorded.
    exchange: RequestRecord | None = None

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake billing API: " + format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header tells the demo's fixed "today", not the real clock.

        Clients take the API's date from this header to tell open from closed months, so
        the demo account behaves the same whatever day it is run.
        """
        today = self.server.api.account.meta.today
        noon = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
        return format_datetime(noon, usegmt=True)

    def do_GET(self) -> None:
        self.server.api._handle(self)

    def _refuse(self) -> None:
        # The request body is not read, so the connection cannot carry another request.
        self.close_connection = True
        self.server.api._handle(self, allowed=False)

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

    def send_json(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        declared_length: int | None = None,
    ) -> None:
        """Send a complete response (or a truncated one when declared_length is larger)."""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header(
            "Content-Length", str(len(body) if declared_length is None else declared_length)
        )
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class FakeBillingApi:
    """The fake Billing API server; use as a context manager or call start()/stop().

    ``account``: None for the shipped demo account, or a :class:`DemoAccount` (e.g. a big
    generated one) or anything with ``meta`` and ``body(key)``. ``latency`` delays every
    response (seconds). ``token`` / ``username`` + ``password`` restrict the accepted
    credentials; by default any non-empty Bearer token or Basic user and password pass.
    """

    def __init__(
        self,
        account: BillingData | DemoAccount | None = None,
        *,
        latency: float = 0.0,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.account: BillingData = account if account is not None else load_shipped_account()
        self.latency = latency
        self._token = token
        self._basic = (username, password) if username is not None else None
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[RequestRecord] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._server else "not started"
        return f"FakeBillingApi({where}, account={self.account!r})"

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> FakeBillingApi:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-billing-api-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.debug("fake billing API listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBillingApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("the fake billing API is not started; use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``: what ``IONOS_API_URL`` would name as the host."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The API root, like ``https://api.ionos.com/billing``: ``<root_url>/billing``."""
        return self.root_url + _PREFIX

    # -- faults and instrumentation -------------------------------------------------

    def inject(
        self, path_pattern: str, kind: str, *, times: int | None = None, **params: Any
    ) -> Fault:
        """Make requests whose path matches ``path_pattern`` (re.search) misbehave.

        Kinds: ``latency`` (seconds=), ``status`` (status=, retry_after=, body=),
        ``malformed_json``, ``truncated_body``, ``disconnect`` (close without answering),
        ``body`` (body= bytes or JSON value, status=200). The path is relative to the
        API root and has no query, e.g. ``/31000777/usage``. Latency faults add up with
        other faults; of the others the first matching one still active applies.
        """
        _check_fault(kind, params)
        fault = Fault(re.compile(path_pattern), kind, times, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in order of completion."""
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        """The largest number of requests being served at the same moment."""
        with self._lock:
            return self._max_in_flight

    def reset_stats(self) -> None:
        """Forget recorded requests and the in-flight peak."""
        with self._lock:
            self._requests.clear()
            self._max_in_flight = self._in_flight

    # -- request handling ------------------------------------------------------------

    def _handle(self, handler: _Handler, *, allowed: bool = True) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        if path == _PREFIX or path.startswith(_PREFIX + "/"):
            path = path[len(_PREFIX) :] or "/"
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        handler.exchange = RequestRecord(handler.command, path, parts.query, 0)
        try:
            self._respond(handler, path, parts.query, allowed)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        finally:
            self._finish(handler, 0)

    def _finish(self, handler: _Handler, status: int) -> None:
        """Record the request and end its in-flight time, once, before the answer goes out.

        Doing this before writing means a client that has its answer always finds the
        request in :attr:`requests`, and its next request never overlaps this one.
        """
        exchange = handler.exchange
        if exchange is None:
            return
        handler.exchange = None
        with self._lock:
            self._in_flight -= 1
            self._requests.append(exchange._replace(status=status))

    def _take_faults(self, path: str, *, others: bool) -> tuple[float, Fault | None]:
        """Total injected latency, and the first other active fault (when ``others``)."""
        delay = 0.0
        chosen = None
        with self._lock:
            for fault in self._faults:
                if fault.spent or not fault.pattern.search(path):
                    continue
                if fault.kind == "latency":
                    fault.hits += 1
                    delay += float(fault.params["seconds"])
                elif others and chosen is None:
                    fault.hits += 1
                    chosen = fault
        return delay, chosen

    def _respond(self, handler: _Handler, path: str, query: str, allowed: bool) -> int:
        authorized = self._authorized(handler.headers.get("Authorization", ""))
        delay, fault = self._take_faults(path, others=allowed and authorized)
        if self.latency or delay:
            time.sleep(self.latency + delay)
        if not allowed:
            return self._send(
                handler,
                _error(405, f"{handler.command} is not supported; the Billing API is read-only"),
            )
        if not authorized:
            return self._send(
                handler,
                _error(401, "missing or wrong credentials"),
                {"WWW-Authenticate": 'Bearer realm="billing", Basic realm="billing"'},
            )
        if fault is not None:
            return self._apply(handler, fault, path, query)
        try:
            found = answer(self.account, path, query)
        except Exception:
            # A bug in the demo data or routing: answer like a broken server would.
            logger.exception("fake billing API failed to answer %s", path)
            found = _error(500, "internal error in the fake billing API")
        return self._send(handler, found)

    def _apply(self, handler: _Handler, fault: Fault, path: str, query: str) -> int:
        params = fault.params
        if fault.kind == "status":
            status = int(params["status"])
            headers = {}
            if params.get("retry_after") is not None:
                headers["Retry-After"] = str(params["retry_after"])
            body = params.get("body")
            found = (
                _error(status, f"injected status {status}")
                if body is None
                else Answer(status, _as_bytes(body))
            )
            return self._send(handler, found, headers)
        if fault.kind == "malformed_json":
            return self._send(handler, Answer(int(params.get("status", 200)), _MALFORMED))
        if fault.kind == "body":
            return self._send(
                handler, Answer(int(params.get("status", 200)), _as_bytes(params["body"]))
            )
        if fault.kind == "disconnect":
            self._finish(handler, 0)
            handler.close_connection = True
            return 0
        # truncated_body: announce the full length, send half of it, then hang up.
        found = answer(self.account, path, query)
        self._finish(handler, found.status)
        handler.send_json(
            found.status, found.body[: len(found.body) // 2], declared_length=len(found.body)
        )
        handler.close_connection = True
        return found.status

    def _send(self, handler: _Handler, found: Answer, headers: dict[str, str] | None = None) -> int:
        self._finish(handler, found.status)
        handler.send_json(found.status, found.body, headers)
        return found.status

    def _authorized(self, header: str) -> bool:
        """Bearer or Basic; only the configured credentials when some are configured."""
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials:
            return False
        if scheme.lower() == "bearer":
            if self._token is not None:
                return credentials == self._token
            return self._basic is None
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        if not (sep and user and password):
            return False
        if self._basic is not None:
            return (user, password) == self._basic
        return self._token is None


def _error(status: int, message: str) -> Answer:
    return Answer(
        status,
        dumps(
            {
                "httpStatus": status,
                "messages": [{"errorCode": str(status), "message": message}],
            }
        ),
    )


def _as_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else dumps(body)


@contextmanager
def demo_server(*, latency: float = 0.0) -> Iterator[tuple[str, str]]:
    """Serve the shipped demo account on loopback; yields ``(base_url, token)``.

    Used by ``--demo``: the client runs against it with no credentials and no network.
    """
    with FakeBillingApi(token=DEMO_TOKEN, latency=latency) as api:
        yield api.base_url, DEMO_TOKEN
