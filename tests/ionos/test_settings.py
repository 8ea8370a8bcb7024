"""IONOS settings: credentials, API address rule, contract, limits; secrets stay hidden."""

from __future__ import annotations

import pytest

from focus_ionos_plugin.errors import AuthenticationError, UsageError
from focus_ionos_plugin.ionos.settings import (
    DEFAULT_API_URL,
    Credentials,
    is_loopback,
    parse_contract,
    resolve_base_url,
    resolve_settings,
)

TOKEN = "tok-SETTINGS-5ecret"


def test_token_wins_over_username_and_password():
    settings = resolve_settings(
        {"IONOS_TOKEN": TOKEN, "IONOS_USERNAME": "ops@example.com", "IONOS_PASSWORD": "pw"}, {}
    )
    assert settings.credentials.scheme == "Bearer"
    assert settings.credentials.authorization() == f"Bearer {TOKEN}"
    assert settings.credentials.source == "IONOS_TOKEN"


def test_username_and_password_give_basic_auth():
    settings = resolve_settings({"IONOS_USERNAME": "ops@example.com", "IONOS_PASSWORD": "pw"}, {})
    assert settings.credentials.authorization() == "Basic b3BzQGV4YW1wbGUuY29tOnB3"
    assert settings.credentials.source == "IONOS_USERNAME/IONOS_PASSWORD"


def test_missing_credentials_name_the_variables_and_the_demo():
    with pytest.raises(AuthenticationError) as caught:
        resolve_settings({"IONOS_TOKEN": "  "}, {})
    message = str(caught.value)
    assert "IONOS_TOKEN" in message
    assert "IONOS_USERNAME and IONOS_PASSWORD" in message
    assert "--demo" in message
    assert caught.value.exit_code == 3


def test_username_without_password_names_the_missing_one():
    with pytest.raises(AuthenticationError, match="IONOS_PASSWORD is not set"):
        resolve_settings({"IONOS_USERNAME": "ops@example.com"}, {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_API_URL),
        ("", DEFAULT_API_URL),
        ("api.ionos.com", "https://api.ionos.com/billing"),
        ("https://api.ionos.com", "https://api.ionos.com/billing"),
        ("https://api.ionos.com/billing/", "https://api.ionos.com/billing"),
        ("https://proxy.example.org:8443/ionos", "https://proxy.example.org:8443/ionos/billing"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/billing"),
        ("http://localhost:9000/billing", "http://localhost:9000/billing"),
        ("http://[::1]:9000", "http://[::1]:9000/billing"),
        ("HTTPS://API.IONOS.COM", "https://api.ionos.com/billing"),
    ],
)
def test_api_url_rule(value, expected):
    assert resolve_base_url(value) == expected


@pytest.mark.parametrize("value", ["http://api.ionos.com", "http://10.0.0.5:8080", "ftp://x"])
def test_plain_http_is_refused_off_loopback(value):
    with pytest.raises(UsageError, match="IONOS_API_URL"):
        resolve_base_url(value)


def test_credentials_in_the_api_url_are_refused_without_echoing_them():
    with pytest.raises(UsageError) as caught:
        resolve_base_url("https://ops:hunter2-SECRET@api.ionos.com")
    assert "hunter2-SECRET" not in str(caught.value)
    assert "must not contain credentials" in str(caught.value)


def test_demo_base_url_option_is_taken_as_the_api_root():
    settings = resolve_settings({"IONOS_TOKEN": TOKEN}, {"base_url": "http://127.0.0.1:5000/"})
    assert settings.base_url == "http://127.0.0.1:5000"
    with pytest.raises(UsageError, match="plain http"):
        resolve_settings({"IONOS_TOKEN": TOKEN}, {"base_url": "http://192.0.2.1:5000"})


def test_loopback_hosts():
    assert [is_loopback(h) for h in ("localhost", "127.0.0.1", "127.8.0.1", "::1")] == [True] * 4
    assert [is_loopback(h) for h in ("example.com", "10.0.0.1", "::2")] == [False] * 3


def test_contract_option_beats_environment_and_keeps_leading_zeros():
    env = {"IONOS_TOKEN": TOKEN, "IONOS_CONTRACT_NUMBER": "031000000"}
    assert resolve_settings(env, {}).contract == "031000000"
    assert resolve_settings(env, {"contract": "0031000777"}).contract == "0031000777"


@pytest.mark.parametrize("value", ["31-000", "abc", "0", "", "１２３４５"])
def test_bad_contract_names_its_source(value):
    with pytest.raises(UsageError, match="--contract"):
        parse_contract(value, "--contract")


def test_limits_from_options_environment_and_defaults():
    env = {"IONOS_TOKEN": TOKEN, "FOCUS_IONOS_MAX_IN_FLIGHT": "12", "FOCUS_IONOS_TIMEOUT": "5"}
    assert resolve_settings({"IONOS_TOKEN": TOKEN}, {}).max_in_flight == 8
    assert resolve_settings({"IONOS_TOKEN": TOKEN}, {}).timeout == 60.0
    assert resolve_settings(env, {}).max_in_flight == 12
    assert resolve_settings(env, {}).timeout == 5.0
    assert resolve_settings(env, {"max_in_flight": 3, "timeout": 0.5}).max_in_flight == 3
    assert resolve_settings(env, {"retry_budget": 2}).retry_budget == 2.0


@pytest.mark.parametrize("value", ["0", "-1", "many", "65"])
def test_bad_max_in_flight_is_a_usage_error(value):
    with pytest.raises(UsageError, match="FOCUS_IONOS_MAX_IN_FLIGHT"):
        resolve_settings({"IONOS_TOKEN": TOKEN, "FOCUS_IONOS_MAX_IN_FLIGHT": value}, {})


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan", "inf"])
def test_bad_timeout_is_a_usage_error(value):
    with pytest.raises(UsageError, match="--timeout"):
        resolve_settings({"IONOS_TOKEN": TOKEN}, {"timeout": value})


def test_repr_hides_token_and_password():
    settings = resolve_settings({"IONOS_TOKEN": TOKEN}, {})
    basic = Credentials(username="ops@example.com", password="pw-SETTINGS-5ecret")
    shown = repr(settings) + str(settings) + repr(basic) + str(basic)
    assert TOKEN not in shown
    assert "pw-SETTINGS-5ecret" not in shown
    assert "ops@example.com" in shown
    assert "secret=***" in shown
