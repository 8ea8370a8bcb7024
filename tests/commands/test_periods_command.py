"""``focus-ionos periods``: the demo account's months, JSON output, settings errors."""

from __future__ import annotations

import json

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.ionos.demo.server import FakeBillingApi


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    return cli.main(argv, app=App(settings=Settings(env or {})))


def test_demo_lists_closed_months_with_invoices_and_the_open_month(capsys):
    assert run(["periods", "--demo"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2026-09  closed  invoices: GY26090001",
        "2026-10  closed  invoices: GY26100001",
        "2026-11  closed  invoices: GY26110001",
        "2026-12  open",
    ]


def test_demo_json(capsys):
    assert run(["periods", "--demo", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["provider"] == "ionos"
    assert listing["periods"] == [
        {"month": "2026-09", "closed": True, "invoice_ids": ["GY26090001"]},
        {"month": "2026-10", "closed": True, "invoice_ids": ["GY26100001"]},
        {"month": "2026-11", "closed": True, "invoice_ids": ["GY26110001"]},
        {"month": "2026-12", "closed": False, "invoice_ids": []},
    ]


def test_demo_ignores_the_users_own_credentials_and_contract(capsys):
    env = {
        "IONOS_TOKEN": "tok-REAL-ACCOUNT",
        "IONOS_API_URL": "https://api.ionos.com",
        "IONOS_CONTRACT_NUMBER": "12345678",
    }
    assert run(["periods", "--demo", "--json"], env) == 0
    assert len(json.loads(capsys.readouterr().out)["periods"]) == 4


def test_api_url_on_loopback_gets_billing_appended(capsys):
    with FakeBillingApi(token="tok-LOOPBACK") as api:
        env = {"IONOS_TOKEN": "tok-LOOPBACK", "IONOS_API_URL": api.root_url}
        assert run(["periods", "--json"], env) == 0
        assert [r.path for r in api.requests] == ["/profile", "/31000777/invoices"]
    assert len(json.loads(capsys.readouterr().out)["periods"]) == 4


def test_without_credentials_the_message_suggests_demo(capsys):
    assert run(["periods"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: no IONOS credentials: set IONOS_TOKEN")
    assert "--demo" in err


def test_plain_http_off_loopback_is_bad_usage(capsys):
    env = {"IONOS_TOKEN": "tok", "IONOS_API_URL": "http://billing.example.org"}
    assert run(["periods"], env) == 2
    assert "only accepted for loopback addresses" in capsys.readouterr().err


def test_unknown_contract_is_bad_usage(capsys):
    assert run(["periods", "--demo", "--contract", "31000999"]) == 2
    err = capsys.readouterr().err
    assert "contract 31000999 is not among the contracts" in err
    assert "031000777" in err
