"""The IONOS Billing API client over httpx.MockTransport: endpoints, statuses, retries, logs."""

from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from ionos_test_fakes import FakeTime

from focus_ionos_plugin.errors import (
    ApiError,
    AuthenticationError,
    FocusIonosError,
    PayloadError,
)
from focus_ionos_plugin.ionos.client import AccessDeniedError, BillingClient, public_url
from focus_ionos_plugin.ionos.settings import Credentials, IonosSettings

EXAMPLES = Path(__file__).parent.parent / "data" / "ionos-examples"
TOKEN = "tok-CLIENT-7f3a9c"
CONTRACT = "031000000"


def example(name: str) -> bytes:
    return (EXAMPLES / f"{name}.json").read_bytes()


EXAMPLE_ROUTES = {
    "/billing/profile": "profile",
    "/billing/31000000/products": "products",
    "/billing/31000000/invoices": "invoices-list",
    "/billing/31000000/invoices/GY09000123": "invoice-detail",
    "/billing/31000000/usage": "usage",
    "/billing/31000000/utilization/2026-06": "utilization",
    "/billing/31000000/utilization/daily/2026-06-15": "utilization-daily",
    "/billing/31000000/evn/2026-06": "evn",
}


def examples_api(request: httpx.Request) -> httpx.Response:
    """Serve the example payloads like the real API would."""
    path = request.url.path
    if path == "/billing/31000000/traffic/2026-06":
        name = "traffic-by-ip" if request.url.params.get("ip") == "true" else "traffic"
        return httpx.Response(200, content=example(name))
    if path in EXAMPLE_ROUTES:
        return httpx.Response(200, content=example(EXAMPLE_ROUTES[path]))
    return httpx.Response(404, json={})


def make_client(handler, fake_time: FakeTime | None = None, **overrides) -> BillingClient:  # type: ignore[no-untyped-def]
    credentials = overrides.pop("credentials", Credentials(token=TOKEN))
    settings = IonosSettings(
        base_url="https://api.ionos.com/billing", credentials=credentials, **overrides
    )
    fake_time = fake_time or FakeTime()
    return BillingClient(
        settings,
        transport=httpx.MockTransport(handler),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        jitter=lambda: 0.5,
    )


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


async def _call(client: BillingClient, method: str, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with client:
        return await getattr(client, method)(*args, **kwargs)


# -- every endpoint ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "request_path", "endpoint"),
    [
        ("profile", (), {}, "/profile", "GET /profile"),
        (
            "products",
            (CONTRACT, "2026-06-01"),
            {},
            "/31000000/products?date=2026-06-01",
            "GET /{contract}/products",
        ),
        ("invoices", (CONTRACT,), {}, "/31000000/invoices", "GET /{contract}/invoices"),
        (
            "invoice",
            (CONTRACT, "GY09000123"),
            {"period": "2026-06"},
            "/31000000/invoices/GY09000123",
            "GET /{contract}/invoices/{id}",
        ),
        ("usage", (CONTRACT, "2026-06"), {}, "/31000000/usage?period=2026-06", None),
        ("utilization", (CONTRACT, "2026-06"), {}, "/31000000/utilization/2026-06", None),
        (
            "utilization_daily",
            (CONTRACT, "2026-06-15"),
            {},
            "/31000000/utilization/daily/2026-06-15",
            "GET /{contract}/utilization/daily/{date}",
        ),
        ("traffic", (CONTRACT, "2026-06"), {}, "/31000000/traffic/2026-06?output=obj", None),
        (
            "traffic",
            (CONTRACT, "2026-06"),
            {"by_ip": True},
            "/31000000/traffic/2026-06?ip=true&output=obj",
            None,
        ),
        ("evn", (CONTRACT, "2026-06"), {}, "/31000000/evn/2026-06", "GET /{contract}/evn/{period}"),
    ],
)
def test_every_endpoint_returns_the_exact_body(method, args, kwargs, request_path, endpoint):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return examples_api(request)

    response = run(_call(make_client(handler), method, *args, **kwargs))

    assert response.status == 200
    assert response.request_path == request_path
    if endpoint:
        assert response.endpoint == endpoint
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["Accept"] == "application/json"
    assert response.body == examples_api(seen[0]).content


def test_numbers_are_exact_decimals_and_contract_zeros_survive():
    client = make_client(examples_api)
    invoice = run(_call(client, "invoice", CONTRACT, "GY09000123", period="2026-06"))
    meter = invoice.data["datacenters"][0]["meters"][0]
    assert meter["rate"]["quantity"] == Decimal("0.055")
    assert isinstance(meter["amount"]["quantity"], Decimal)
    assert meter["amount"]["quantity"] == Decimal("158.4")
    assert invoice.data["total"]["quantity"] == Decimal("344.69")
    assert invoice.data["metadata"]["contractId"] == "031000000"
    products = run(_call(make_client(examples_api), "products", CONTRACT, "2026-06-01"))
    assert products.data["products"][3]["unitCost"]["quantity"] == "0.0550"


def test_basic_auth_when_no_token():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return examples_api(request)

    credentials = Credentials(username="ops@example.com", password="pw")
    run(_call(make_client(handler, credentials=credentials), "profile"))
    assert seen[0].headers["Authorization"] == "Basic b3BzQGV4YW1wbGUuY29tOnB3"


# -- statuses ------------------------------------------------------------------------------


def test_401_fails_at_once_naming_the_variables_to_check():
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"message": "Unauthorized"})

    with pytest.raises(AuthenticationError) as caught:
        run(_call(make_client(handler), "usage", CONTRACT, "2026-06"))
    assert len(calls) == 1
    message = str(caught.value)
    assert "HTTP 401" in message
    assert "GET /{contract}/usage (/31000000/usage?period=2026-06)" in message
    assert "Check IONOS_TOKEN" in message
    assert caught.value.exit_code == 3


def test_401_with_basic_auth_names_username_and_password():
    credentials = Credentials(username="ops@example.com", password="pw")
    client = make_client(lambda r: httpx.Response(401), credentials=credentials)
    with pytest.raises(AuthenticationError, match="Check IONOS_USERNAME/IONOS_PASSWORD"):
        run(_call(client, "profile"))


def test_403_is_access_denied():
    client = make_client(lambda r: httpx.Response(403, json={}))
    with pytest.raises(AccessDeniedError) as caught:
        run(_call(client, "invoices", CONTRACT))
    assert caught.value.status == 403
    assert caught.value.endpoint == "GET /{contract}/invoices"


def test_404_is_no_data_for_period_endpoints_and_an_error_elsewhere():
    client = make_client(lambda r: httpx.Response(404, json={}))
    response = run(_call(client, "evn", CONTRACT, "2026-06"))
    assert (response.status, response.body, response.data) == (404, b"", None)
    with pytest.raises(ApiError, match=r"HTTP 404 Not Found: check the contract number"):
        run(_call(make_client(lambda r: httpx.Response(404)), "profile"))


def test_other_status_names_endpoint_and_status_without_retry():
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"message": "boom"})

    with pytest.raises(ApiError) as caught:
        run(_call(make_client(handler), "utilization", CONTRACT, "2026-06"))
    assert calls == [1]
    assert caught.value.status == 500
    assert caught.value.endpoint == "GET /{contract}/utilization/{period}"
    assert str(caught.value).startswith(
        "IONOS Billing API GET /{contract}/utilization/{period} (/31000000/utilization/2026-06)"
        " for period 2026-06 answered HTTP 500 Internal Server Error"
    )


@pytest.mark.parametrize(
    ("body", "what"),
    [(b'{"datacenters": [', "not JSON"), (b"<html>oops</html>", "not JSON"), (b"", "empty")],
)
def test_body_that_is_not_json_names_the_endpoint(body, what):
    client = make_client(lambda r: httpx.Response(200, content=body))
    with pytest.raises(PayloadError) as caught:
        run(_call(client, "usage", CONTRACT, "2026-06"))
    message = str(caught.value)
    assert "GET /{contract}/usage (/31000000/usage?period=2026-06)" in message
    assert what in message
    assert "for period 2026-06" in message


def test_payload_of_the_wrong_shape_names_endpoint_period_and_json_path():
    data = json.loads(example("utilization"))
    data["datacenters"][2]["meters"][1]["quantity"] = {"quantity": "lots", "unit": "1G*30Days"}
    client = make_client(lambda r: httpx.Response(200, json=data))
    with pytest.raises(PayloadError) as caught:
        run(_call(client, "utilization", CONTRACT, "2026-06"))
    message = str(caught.value)
    assert "GET /{contract}/utilization/{period} (/31000000/utilization/2026-06)" in message
    assert "for period 2026-06" in message
    assert "at $.datacenters[2].meters[1].quantity.quantity:" in message


# -- retries -------------------------------------------------------------------------------


def _answers(*responses: httpx.Response | Exception):  # type: ignore[no-untyped-def]
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def test_429_honours_retry_after_seconds():
    handler, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200, json={})
    )
    fake_time = FakeTime()
    response = run(_call(make_client(handler, fake_time), "usage", CONTRACT, "2026-06"))
    assert response.status == 200
    assert fake_time.sleeps == [1.0]
    assert len(seen) == 2


def test_retry_after_as_http_date_in_the_past_means_no_wait():
    handler, _ = _answers(
        httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        httpx.Response(200, json={}),
    )
    fake_time = FakeTime()
    run(_call(make_client(handler, fake_time), "profile"))
    assert fake_time.sleeps == [0.0]


def test_503_twice_then_200_succeeds_with_exponential_backoff():
    handler, seen = _answers(
        httpx.Response(503), httpx.Response(503), httpx.Response(200, json={"companies": []})
    )
    fake_time = FakeTime()
    response = run(_call(make_client(handler, fake_time), "profile"))
    assert response.data == {"companies": []}
    # jitter fixed at 0.5: half of the ceiling plus half of the other half.
    assert fake_time.sleeps == [0.375, 0.75]
    assert len(seen) == 3


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_forever_fail_after_the_attempt_limit(status):
    handler, seen = _answers(httpx.Response(status))
    fake_time = FakeTime()
    client = make_client(handler, fake_time, max_attempts=5, retry_budget=60)
    with pytest.raises(ApiError) as caught:
        run(_call(client, "usage", CONTRACT, "2026-06"))
    assert len(seen) == 5
    assert fake_time.sleeps == [0.375, 0.75, 1.5, 3.0]
    assert caught.value.status == status
    message = str(caught.value)
    assert f"still answered HTTP {status} after 5 attempts in 5.6 s" in message
    assert "try again later" in message


def test_retrying_stops_when_the_time_budget_would_be_exceeded():
    handler, seen = _answers(httpx.Response(503))
    fake_time = FakeTime()
    client = make_client(handler, fake_time, max_attempts=50, retry_budget=3.0)
    with pytest.raises(ApiError, match=r"after 4 attempts in 2\.6 s"):
        run(_call(client, "profile"))
    # 0.375 + 0.75 + 1.5 slept; the next wait (3.0 s) would pass the 3 s budget.
    assert fake_time.sleeps == [0.375, 0.75, 1.5]
    assert len(seen) == 4


def test_retry_after_longer_than_the_budget_gives_up_at_once():
    handler, seen = _answers(httpx.Response(429, headers={"Retry-After": "3600"}))
    fake_time = FakeTime()
    with pytest.raises(ApiError, match="429 after 1 attempts"):
        run(_call(make_client(handler, fake_time, retry_budget=60), "profile"))
    assert fake_time.sleeps == []
    assert len(seen) == 1


def test_connection_error_is_retried():
    handler, seen = _answers(
        httpx.ConnectError("connection refused"), httpx.Response(200, json={"companies": []})
    )
    fake_time = FakeTime()
    response = run(_call(make_client(handler, fake_time), "profile"))
    assert response.status == 200
    assert len(seen) == 2
    assert fake_time.sleeps == [0.375]


def test_timeouts_forever_fail_with_a_clear_message():
    handler, seen = _answers(httpx.ReadTimeout("timed out"))
    with pytest.raises(ApiError) as caught:
        run(_call(make_client(handler, max_attempts=3), "profile"))
    assert len(seen) == 3
    assert caught.value.status is None
    assert "still failed (ReadTimeout: timed out) after 3 attempts" in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectError("[Errno -2] Name or service not known"),
        httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
    ],
)
def test_unreachable_api_says_to_check_the_address_and_the_network(error):
    handler, _ = _answers(error)
    with pytest.raises(ApiError) as caught:
        run(_call(make_client(handler, max_attempts=2), "profile"))
    message = str(caught.value)
    assert message.endswith(
        "The API at https://api.ionos.com/billing cannot be reached: check IONOS_API_URL "
        "and the network (proxy, DNS, firewall)"
    )
    assert "limiting requests" not in message


def test_busy_api_still_suggests_fewer_requests():
    handler, _ = _answers(httpx.Response(503))
    with pytest.raises(ApiError) as caught:
        run(_call(make_client(handler, max_attempts=2), "profile"))
    assert str(caught.value).endswith(
        "The API is unavailable or limiting requests: try again later, or lower --max-in-flight"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:secret@api.example.com:8443/billing?token=x#frag",
            "https://api.example.com:8443/billing",
        ),
        ("http://[::1]:8080/billing", "http://[::1]:8080/billing"),
    ],
)
def test_public_url_hides_user_info_and_query(url, shown):
    assert public_url(url) == shown


def _request_error_classes() -> list[type[httpx.RequestError]]:
    found: list[type[httpx.RequestError]] = []
    pending: list[type[httpx.RequestError]] = [httpx.RequestError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("error", _request_error_classes(), ids=lambda c: c.__name__)
def test_every_httpx_request_error_becomes_a_provider_error(error):
    handler, _ = _answers(error("failure text"))
    with pytest.raises(FocusIonosError) as caught:
        run(_call(make_client(handler, max_attempts=2), "profile"))
    assert caught.value.exit_code == 3
    assert "GET /profile" in str(caught.value)
    assert error.__name__ in str(caught.value)


# -- concurrency and logs ------------------------------------------------------------------


def test_requests_in_flight_never_exceed_the_bound():
    state = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.005)
        state["now"] -= 1
        return httpx.Response(200, json={})

    async def many() -> BillingClient:
        client = make_client(handler, max_in_flight=3)
        async with client:
            days = [f"2026-06-{day:02d}" for day in range(1, 31)]
            await asyncio.gather(*(client.utilization_daily(CONTRACT, d) for d in days))
        return client

    client = run(many())
    assert state["peak"] == 3
    assert client.peak_in_flight == 3
    assert client.attempts == 30


def test_one_info_line_per_call_with_method_path_status_and_duration(caplog):
    handler, _ = _answers(httpx.Response(503), httpx.Response(200, json={}))
    with caplog.at_level(logging.INFO, logger="focus_ionos_plugin"):
        run(_call(make_client(handler), "traffic", CONTRACT, "2026-06", by_ip=True))
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(lines) == 2
    assert lines[0].startswith("GET /31000000/traffic/2026-06?ip=true&output=obj 503 ")
    assert lines[1].startswith("GET /31000000/traffic/2026-06?ip=true&output=obj 200 ")
    assert lines[1].endswith(" s")


def test_repr_of_client_hides_the_token():
    client = make_client(examples_api)
    assert TOKEN not in repr(client)
    assert "secret=***" in repr(client)
    run(client.aclose())
