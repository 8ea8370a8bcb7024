"""Raw batches: exact parsing, atomic and idempotent saving, tamper detection."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from focus_ionos_plugin.errors import InputError, RawDataError
from focus_ionos_plugin.raw import MANIFEST_NAME, RawBatch, loads_exact


def _batch() -> RawBatch:
    batch = RawBatch("acme", "2026-05", meta={"contract": "031000777"})
    batch.add(
        "usage",
        endpoint="usage",
        request_path="/31000777/usage?period=2026-05",
        body=b'{"quantity": 0.1, "count": 3, "id": "031000777"}',
        fetched_at="2026-06-01T00:00:00Z",
    )
    return batch


def test_numbers_parse_as_decimal_never_float():
    data = loads_exact(b'{"a": 0.1, "b": 12345678901234567890.123456789, "c": 7}')
    assert data == {"a": Decimal("0.1"), "b": Decimal("12345678901234567890.123456789"), "c": 7}
    assert isinstance(data["a"], Decimal)


def test_save_and_load_round_trip(tmp_path):
    folder = tmp_path / "acme" / "2026-05"
    assert _batch().save(folder) is True

    loaded = RawBatch.load(folder)
    assert loaded.provider == "acme"
    assert loaded.meta == {"contract": "031000777"}
    assert loaded.json("usage")["quantity"] == Decimal("0.1")
    assert loaded.json("usage")["id"] == "031000777"
    assert loaded.json("missing", default={}) == {}
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    (entry,) = manifest["entries"]
    assert entry["request_path"] == "/31000777/usage?period=2026-05"
    assert entry["sha256"] == loaded.entries["usage"].sha256
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_NAME, "usage.json"]


def test_saving_the_same_payloads_twice_leaves_files_untouched(tmp_path):
    folder = tmp_path / "batch"
    _batch().save(folder)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}

    again = _batch()
    again.add(
        "usage",
        endpoint="usage",
        request_path="/31000777/usage?period=2026-05",
        body=again.entries["usage"].body,
        fetched_at="2026-06-02T00:00:00Z",  # a later fetch of identical payloads
    )
    assert again.save(folder) is False
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before


def test_changed_payload_replaces_the_folder_and_leaves_no_staging(tmp_path):
    folder = tmp_path / "batch"
    _batch().save(folder)
    changed = _batch()
    changed.add("usage", endpoint="usage", request_path="/x", body=b'{"quantity": 0.2}')
    assert changed.save(folder) is True
    assert RawBatch.load(folder).json("usage") == {"quantity": Decimal("0.2")}
    assert [p.name for p in tmp_path.iterdir()] == ["batch"]


def test_tampered_file_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "batch"
    _batch().save(folder)
    (folder / "usage.json").write_bytes(b'{"quantity": 9.9}')
    with pytest.raises(RawDataError, match=r"usage\.json does not match its SHA-256"):
        RawBatch.load(folder)


def test_folder_without_manifest_is_refused(tmp_path):
    with pytest.raises(RawDataError, match=r"manifest\.json is missing"):
        RawBatch.load(tmp_path)


def test_entry_names_must_be_file_safe():
    with pytest.raises(ValueError, match="must be letters"):
        _batch().add("../escape", endpoint="x", request_path="/x", body=b"{}")


def test_saving_below_a_file_is_an_input_error_naming_the_path(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("hello")
    with pytest.raises(InputError, match=r"cannot save raw data to .*afile/acme/2026-05: .*a file"):
        _batch().save(blocker / "acme" / "2026-05")
    assert blocker.read_text() == "hello"
