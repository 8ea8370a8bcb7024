"""``focus-ionos fetch``: raw folders from the demo account, idempotence, option errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from focus_ionos_plugin import cli
from focus_ionos_plugin.commands import App
from focus_ionos_plugin.context import Settings
from focus_ionos_plugin.raw import RawBatch


class RecordingApp(App):
    """An App whose progress reporter records what it was told."""

    events: list[tuple[str, object]]

    def progress(self):  # type: ignore[no-untyped-def]
        app = self

        class Recorder:
            def start(self, description: str, total: int) -> None:
                app.events.append(("start", (description, total)))

            def advance(self, steps: int = 1) -> None:
                app.events.append(("advance", steps))

            def stop(self) -> None:
                app.events.append(("stop", None))

        return Recorder()


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    return cli.main(argv, app=App(settings=Settings(env or {})))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_demo_fetch_writes_one_folder_per_month_and_is_idempotent(tmp_path, capsys):
    argv = ["fetch", "--demo", "--from", "2026-09", "--to", "2026-12", "--raw-dir", str(tmp_path)]
    assert run(argv) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"ionos 2026-09: 39 payloads saved to {tmp_path}/ionos/2026-09",
        f"ionos 2026-10: 40 payloads saved to {tmp_path}/ionos/2026-10",
        f"ionos 2026-11: 39 payloads saved to {tmp_path}/ionos/2026-11",
        f"ionos 2026-12: 11 payloads saved to {tmp_path}/ionos/2026-12",
    ]
    first = snapshot(tmp_path)

    assert run(argv) == 0
    assert "39 payloads unchanged in" in capsys.readouterr().out
    assert snapshot(tmp_path) == first  # same bytes, not even rewritten
    assert sorted(p.name for p in (tmp_path / "ionos").iterdir()) == [
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]

    november = RawBatch.load(tmp_path / "ionos" / "2026-11")
    assert november.meta == {
        "contract": "031000777",
        "closed": True,
        "invoice_ids": ["GY26110001"],
        "invoice_access": True,
        "currency": "EUR",
    }
    manifest = json.loads((tmp_path / "ionos" / "2026-11" / "manifest.json").read_text())
    usage = next(e for e in manifest["entries"] if e["name"] == "usage")
    assert usage["request_path"] == "/31000777/usage?period=2026-11"
    assert usage["endpoint"] == "GET /{contract}/usage"
    assert usage["fetched_at"].endswith("Z")
    assert "127.0.0.1" not in json.dumps(manifest)  # no host (or port) in saved files


def test_one_period_with_explicit_contract_and_limits(tmp_path, capsys):
    argv = ["fetch", "--demo", "--period", "2026-10", "--raw-dir", str(tmp_path)]
    argv += ["--contract", "31000777", "--max-in-flight", "2", "--timeout", "10"]
    assert run(argv) == 0
    assert capsys.readouterr().out == (
        f"ionos 2026-10: 40 payloads saved to {tmp_path}/ionos/2026-10\n"
    )
    assert RawBatch.load(tmp_path / "ionos" / "2026-10").meta["contract"] == "031000777"


def test_progress_counts_every_call(tmp_path):
    app = RecordingApp(settings=Settings({}))
    app.events = []
    argv = ["fetch", "--demo", "--from", "2026-11", "--to", "2026-12", "--raw-dir", str(tmp_path)]
    assert cli.main(argv, app=app) == 0
    # November: products, invoice, usage, utilization, 30 days, traffic x2, evn = 37;
    # December: no invoice and days 1-4 (the 4th has no data yet) = 10.
    assert app.events[0] == ("start", ("fetching IONOS 2026-11..2026-12", 47))
    assert app.events.count(("advance", 1)) == 47
    assert app.events[-1] == ("stop", None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from", "2027-02"], "--from 2027-02 is after 2026-12, the latest period there is"),
        (["--period", "2026-09", "--to", "2026-10"], "--to goes with --from"),
        (["--period", "2026-13"], "period '2026-13' is not a month written YYYY-MM"),
        (["--from", "2026-11", "--to", "2026-09"], "--from 2026-11 is after --to 2026-09"),
        (["--period", "2027-01"], "period 2027-01 has not started yet"),
        (["--period", "2026-10", "--max-in-flight", "0"], "must be a whole number from 1"),
        (["--period", "2026-10", "--provider", "nope"], "unknown provider 'nope'"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, capsys, options, message):
    assert run(["fetch", "--demo", *options, "--raw-dir", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "ionos").exists()


def test_period_and_from_are_exclusive(tmp_path, capsys):
    argv = ["fetch", "--period", "2026-09", "--from", "2026-09", "--raw-dir", str(tmp_path)]
    assert run(argv) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_from_alone_fetches_up_to_the_open_month(tmp_path, capsys):
    assert run(["fetch", "--demo", "--from", "2026-11", "--raw-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in (tmp_path / "ionos").iterdir()) == ["2026-11", "2026-12"]


def test_to_alone_is_a_usage_error(tmp_path, capsys):
    assert run(["fetch", "--demo", "--to", "2026-11", "--raw-dir", str(tmp_path)]) == 2
    assert "error: one of the arguments --period --from is required" in capsys.readouterr().err
