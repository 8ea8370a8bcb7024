"""The fake Billing API over loopback: every path, auth, 404s, filters and each fault kind."""

from __future__ import annotations

import base64
import contextlib
import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from focus_ionos_plugin.ionos.demo.account import build_account
from focus_ionos_plugin.ionos.demo.server import (
    DEMO_TOKEN,
    FakeBillingApi,
    RequestRecord,
    demo_server,
)
from focus_ionos_plugin.raw import loads_exact

AUTH = {"Authorization": "Bearer any-token"}


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBillingApi]:
    with FakeBillingApi() as server:
        yield server


@pytest.fixture
def client(api: FakeBillingApi) -> Iterator[httpx.Client]:
    api.clear_faults()
    api.reset_stats()
    with httpx.Client(base_url=api.base_url, headers=AUTH, timeout=10) as http:
        yield http
    api.clear_faults()


def get_json(client: httpx.Client, path: str) -> object:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"] == "application/json"
    return loads_exact(response.content)


def test_base_url_is_loopback_with_billing_prefix(api):
    assert api.base_url.startswith("http://127.0.0.1:")
    assert api.base_url.endswith("/billing")
    assert api.root_url + "/billing" == api.base_url


def test_profile_and_ping(client):
    assert get_json(client, "/profile") == {
        "companies": [{"contractId": "031000777", "customerId": "112000777", "reference": None}]
    }
    ping = client.get("/intern/ping")
    assert (ping.status_code, ping.content) == (200, b"")


def test_paths_work_without_the_billing_prefix(api):
    response = httpx.get(api.root_url + "/profile", headers=AUTH)
    assert response.status_code == 200


@pytest.mark.parametrize("contract", ["31000777", "031000777"])
def test_contract_segment_is_compared_as_a_number(client, contract):
    invoices = get_json(client, f"/{contract}/invoices")
    assert invoices["metadata"]["contractId"] == "031000777"
    assert [i["id"] for i in invoices["invoices"]] == ["GY26110001", "GY26100001", "GY26090001"]


def test_products_by_date_returns_the_price_valid_then(client):
    def core_price(query: str) -> str:
        products = get_json(client, f"/31000777/products{query}")["products"]
        return next(p["unitCost"]["quantity"] for p in products if p["meterId"] == "C05000")

    assert core_price("?date=2026-10-31") == "0.0550"
    assert core_price("?date=2026-11-01") == "0.0600"
    assert core_price("?date=2020-01-01") == "0.0550"
    assert core_price("") == "0.0600"


def test_invoice_by_id_and_by_period(client):
    invoice = get_json(client, "/31000777/invoices/GY26100001")
    assert invoice["total"] == {"quantity": Decimal("1241.95"), "unit": "EUR"}
    by_period = get_json(client, "/invoices/2026-10?contractid=31000777")
    assert by_period == [invoice]
    assert get_json(client, "/invoices/2026-10?contractid=031000777") == [invoice]
    assert get_json(client, "/invoices/2026-10?contractid=999") == []
    assert get_json(client, "/invoices/2026-12") == []


def test_usage_whole_and_per_datacenter(client):
    usage = get_json(client, "/31000777/usage?period=2026-09")
    assert (usage["startDate"], usage["endDate"]) == ("2026-09-01", "2026-09-30")
    assert [dc["location"] for dc in usage["datacenters"]] == [
        "de/fra",
        "de/txl",
        "es/vit",
        "de/fra",
    ]
    edge = usage["datacenters"][2]
    one = get_json(client, f"/31000777/usage/{edge['id']}?period=2026-09")
    assert one["datacenters"] == [edge]
    current = get_json(client, "/31000777/usage")
    assert current == get_json(client, "/31000777/usage?period=2026-12")
    assert client.get("/31000777/usage/not-a-dc?period=2026-09").status_code == 404


def test_utilization_current_period_daily_and_filters(client):
    current = get_json(client, "/31000777/utilization")
    assert current == get_json(client, "/31000777/utilization/2026-12")
    daily = get_json(client, "/31000777/utilization/daily/2026-12-02?type=loadbalancer")
    (dc,) = daily["datacenters"]
    (meter,) = dc["meters"]
    assert (meter["meterId"], meter["name"], meter["quantity"]["quantity"]) == (
        "NLB1000",
        "lb-fra",
        14,
    )
    assert (meter["from"], meter["to"]) == ("2026-12-02T10:00:00.000Z", "2026-12-02T23:59:59.999Z")
    s3 = get_json(client, "/31000777/utilization/2026-11?type=S3")
    (bucket_dc,) = s3["datacenters"]
    assert bucket_dc["name"] == "S3"
    assert len(bucket_dc["meters"]) == 30 * 4  # two buckets x two meters, one row a day
    by_resource = get_json(client, f"/31000777/utilization/2026-11?resource={meter['resourceId']}")
    assert by_resource["datacenters"] == []
    by_dc = get_json(client, f"/31000777/utilization/2026-11?dc={dc['id']}")
    assert [d["id"] for d in by_dc["datacenters"]] == [dc["id"]]


def test_traffic_outputs(client):
    obj = get_json(client, "/31000777/traffic/2026-09?output=obj")
    assert set(obj) == {"metadata", "trafficObj"}
    assert obj["metadata"]["period"] == "2026-09"
    assert [g["vdcName"] for g in obj["trafficObj"]["vdc"]] == ["prod-fra", "edge-vit"]
    by_ip = get_json(client, "/31000777/traffic/2026-09?ip=true&output=obj")
    assert [g["ip"] for g in by_ip["trafficObj"]["nic"]] == ["203.0.113.10", "198.51.100.20"]
    full = get_json(client, "/31000777/traffic/2026-09")
    assert set(full) == {"metadata", "trafficObj", "trafficArr", "traffic"}
    assert full["traffic"][0] == "vdcUUID,vdcName,Date,In,Out"
    assert len(full["trafficArr"]) == 1 + 30 + 30
    assert get_json(client, "/31000777/traffic?output=obj") == get_json(
        client, "/31000777/traffic/2026-12?output=obj"
    )
    assert client.get("/31000777/traffic/2026-09?output=xml").status_code == 422


def test_evn_current_and_by_period(client):
    evn = get_json(client, "/31000777/evn/2026-10")
    assert evn["metadata"]["period"] == "2026-10"
    assert get_json(client, "/31000777/evn") == get_json(client, "/31000777/evn/2026-12")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/31000778/usage?period=2026-09", 404),
        ("/31000777/utilization/2026-08", 404),
        ("/31000777/evn/2027-01", 404),
        ("/31000777/invoices/GY00000000", 404),
        ("/31000777/utilization/daily/2026-12-04", 404),
        ("/31000777/nothing", 404),
        ("/31000777/usage?period=2026-13", 422),
        ("/31000777/products?date=yesterday", 422),
    ],
)
def test_unknown_contract_period_invoice_and_bad_input(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert loads_exact(response.content)["httpStatus"] == status


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Token abc", "Basic !!!", "Basic " + base64.b64encode(b"user:").decode()],
)
def test_requests_without_usable_credentials_get_401(api, header):
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(api.base_url + "/profile", headers=headers)
    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]


def test_basic_auth_is_accepted(api):
    basic = "Basic " + base64.b64encode(b"me@example.com:pw").decode()
    assert httpx.get(api.base_url + "/profile", headers={"Authorization": basic}).status_code == 200


def test_configured_credentials_are_the_only_ones_accepted():
    basic = "Basic " + base64.b64encode(b"me@example.com:pw").decode()
    with FakeBillingApi(token="t-1") as api:
        url = api.base_url + "/profile"
        assert httpx.get(url, headers={"Authorization": "Bearer t-1"}).status_code == 200
        assert httpx.get(url, headers={"Authorization": "Bearer t-2"}).status_code == 401
        assert httpx.get(url, headers={"Authorization": basic}).status_code == 401
    with FakeBillingApi(username="me@example.com", password="pw") as api:
        url = api.base_url + "/profile"
        assert httpx.get(url, headers={"Authorization": basic}).status_code == 200
        assert httpx.get(url, headers={"Authorization": "Bearer t-1"}).status_code == 401


def test_status_fault_with_retry_after_then_recovers(api, client):
    fault = api.inject(r"/usage$", "status", status=429, retry_after=1, times=1)
    first = client.get("/31000777/usage")
    assert (first.status_code, first.headers["retry-after"]) == (429, "1")
    assert client.get("/31000777/usage").status_code == 200
    assert fault.hits == 1
    assert [r.status for r in api.requests] == [429, 200]


def test_503_n_times(api, client):
    api.inject("/invoices", "status", status=503, times=2)
    statuses = [client.get("/31000777/invoices").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


@pytest.mark.parametrize("status", [401, 403, 500])
def test_status_fault_forever(api, client, status):
    api.inject("/invoices", "status", status=status)
    assert [client.get("/31000777/invoices").status_code for _ in range(2)] == [status, status]
    assert client.get("/31000777/usage").status_code == 200


def test_malformed_json(api, client):
    api.inject("/evn", "malformed_json")
    response = client.get("/31000777/evn/2026-09")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        loads_exact(response.content)


def test_truncated_body(api, client):
    api.inject("/utilization/", "truncated_body", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/31000777/utilization/2026-09")
    assert get_json(client, "/31000777/utilization/2026-09")["startDate"] == "2026-09-01"


def test_disconnect(api, client):
    api.inject("/profile", "disconnect", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/profile")
    assert client.get("/profile").status_code == 200


def test_custom_body(api, client):
    two = {"companies": [{"contractId": "031000777"}, {"contractId": "042000001"}]}
    api.inject("^/profile$", "body", body=two)
    assert get_json(client, "/profile") == two


def test_latency_fault_and_clear_faults(api, client):
    api.inject(".", "latency", seconds=0.01)
    api.inject(".", "status", status=500)
    assert client.get("/profile").status_code == 500
    api.clear_faults()
    assert client.get("/profile").status_code == 200


def test_unknown_fault_kind_is_rejected(api):
    with pytest.raises(ValueError, match="unknown fault kind"):
        api.inject(".", "explode")
    with pytest.raises(ValueError, match="needs status"):
        api.inject(".", "status")


def test_requests_are_recorded_with_path_and_query(api, client):
    client.get("/031000777/usage", params={"period": "2026-09"})
    assert api.requests == [RequestRecord("GET", "/031000777/usage", "period=2026-09", 200)]
    assert client.post("/profile").status_code == 405


def test_max_in_flight_counts_concurrent_requests():
    with FakeBillingApi(latency=0.2) as api:
        barrier = threading.Barrier(4)

        def call() -> None:
            barrier.wait()
            httpx.get(api.base_url + "/profile", headers=AUTH, timeout=10)

        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(api.requests) == 4
        assert 2 <= api.max_in_flight <= 4


def test_serves_a_generated_account():
    account = build_account(resources_per_vdc=6, seed=3)
    with FakeBillingApi(account) as api:
        usage = httpx.get(api.base_url + "/31000777/usage?period=2026-10", headers=AUTH).json()
        names = [
            m["name"]
            for dc in httpx.get(
                api.base_url + "/31000777/utilization/daily/2026-10-05", headers=AUTH
            ).json()["datacenters"]
            for m in dc["meters"]
        ]
    assert any(name.startswith("gen-") for name in names)
    assert len(usage["datacenters"]) == 4


def test_demo_server_yields_url_and_the_fixed_token():
    with demo_server() as (base_url, token):
        assert token == DEMO_TOKEN
        ok = httpx.get(base_url + "/profile", headers={"Authorization": f"Bearer {token}"})
        wrong = httpx.get(base_url + "/profile", headers={"Authorization": "Bearer other"})
    assert (ok.status_code, wrong.status_code) == (200, 401)


def test_server_stays_quiet_on_stderr(capfd):
    with FakeBillingApi() as api:
        api.inject("/usage", "truncated_body", times=1)
        api.inject("/evn", "disconnect", times=1)
        with httpx.Client(base_url=api.base_url, headers=AUTH) as http:
            for path in ("/31000777/usage", "/31000777/evn", "/nothing", "/profile"):
                with contextlib.suppress(httpx.TransportError):
                    http.get(path)
        httpx.get(api.base_url + "/profile")
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_date_header_tells_the_demo_today_whatever_the_real_clock():
    with FakeBillingApi() as api:
        response = httpx.get(
            f"{api.base_url}/profile", headers={"Authorization": "Bearer demo"}, timeout=5
        )
    assert response.headers["Date"] == "Fri, 04 Dec 2026 12:00:00 GMT"
