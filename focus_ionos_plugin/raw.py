"""Raw provider data for one period, kept as received so it can be saved and re-converted.

A :class:`RawBatch` holds the exact response bodies of the calls a provider made for one
billing period. Saved to a folder it is one file per call plus ``manifest.json`` (endpoint,
request path, fetch time, SHA-256 of each file); loading checks every hash, so a converted
dataset can always be traced back to untouched source data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import InputError, RawDataError

__all__ = ["MANIFEST_NAME", "RawBatch", "RawEntry", "loads_exact"]

MANIFEST_NAME = "manifest.json"
_FORMAT = "focus-ionos-raw/1"


def loads_exact(body: bytes | str) -> Any:
    """Parse JSON with every non-integer number as :class:`~decimal.Decimal`, never float."""
    return json.loads(body, parse_float=Decimal)


@dataclass(frozen=True)
class RawEntry:
    """One API call: its name in the batch, what was asked, and the body received."""

    name: str
    endpoint: str
    request_path: str
    body: bytes = field(repr=False)
    fetched_at: str = ""
    status: int = 200

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the body as received."""
        return hashlib.sha256(self.body).hexdigest()

    def json(self) -> Any:
        """The body parsed with exact decimals."""
        return loads_exact(self.body) if self.body else None


@dataclass
class RawBatch:
    """The raw payloads of one provider for one billing period."""

    provider: str
    period: str
    entries: dict[str, RawEntry] = field(default_factory=dict)
    #: Provider-specific facts about the fetch (e.g. ``{"invoice_access": False}``).
    meta: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        name: str,
        *,
        endpoint: str,
        request_path: str,
        body: bytes,
        status: int = 200,
        fetched_at: str | None = None,
    ) -> RawEntry:
        """Record one call's body under ``name`` (a file-safe identifier)."""
        if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            msg = f"raw entry name {name!r} must be letters, digits, '-', '_' or '.'"
            raise ValueError(msg)
        stamp = fetched_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        entry = RawEntry(name, endpoint, request_path, body, stamp, status)
        self.entries[name] = entry
        return entry

    def json(self, name: str, default: Any = None) -> Any:
        """The parsed payload of entry ``name``, or ``default`` when the batch lacks it."""
        entry = self.entries.get(name)
        return default if entry is None else entry.json()

    def manifest(self) -> dict[str, Any]:
        """The manifest written next to the payload files."""
        return {
            "format": _FORMAT,
            "provider": self.provider,
            "period": self.period,
            "meta": self.meta,
            "entries": [
                {
                    "name": entry.name,
                    "file": f"{entry.name}.json",
                    "endpoint": entry.endpoint,
                    "request_path": entry.request_path,
                    "status": entry.status,
                    "fetched_at": entry.fetched_at,
                    "sha256": entry.sha256,
                }
                for entry in sorted(self.entries.values(), key=lambda e: e.name)
            ],
        }

    def save(self, folder: Path) -> bool:
        """Write the batch to ``folder`` atomically; return False when nothing changed.

        The folder is written beside its final place and swapped in with a rename, so a
        crash leaves either the old batch or the new one, never a mix. When the folder
        already holds the same payloads (same hashes), it is left untouched: fetching a
        closed month twice gives identical files.
        """
        folder = Path(folder)
        if folder.is_dir() and self._same_payloads_as(folder):
            return False
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        except OSError as exc:
            raise _unwritable(folder, exc) from exc
        try:
            for entry in self.entries.values():
                (staging / f"{entry.name}.json").write_bytes(entry.body)
            manifest = json.dumps(self.manifest(), indent=2, sort_keys=True, default=str)
            (staging / MANIFEST_NAME).write_text(manifest + "\n", encoding="utf-8")
            _swap_in(staging, folder)
        except OSError as exc:
            raise _unwritable(folder, exc) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True

    def _same_payloads_as(self, folder: Path) -> bool:
        try:
            existing = RawBatch.load(folder)
        except RawDataError:
            return False
        mine = {name: entry.sha256 for name, entry in self.entries.items()}
        theirs = {name: entry.sha256 for name, entry in existing.entries.items()}
        return mine == theirs and existing.meta == self.meta

    @classmethod
    def load(cls, folder: Path) -> RawBatch:
        """Read a saved batch, checking every file against the manifest's SHA-256."""
        folder = Path(folder)
        manifest_path = folder / MANIFEST_NAME
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            msg = f"{folder} is not a saved raw batch: {MANIFEST_NAME} is missing"
            raise RawDataError(msg) from exc
        except (OSError, ValueError) as exc:
            msg = f"cannot read {manifest_path}: {exc}"
            raise RawDataError(msg) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
            msg = f"{manifest_path} is not a focus-ionos raw manifest (format {_FORMAT})"
            raise RawDataError(msg)
        batch = cls(manifest["provider"], manifest["period"], meta=manifest.get("meta") or {})
        for item in manifest.get("entries", []):
            path = folder / item["file"]
            try:
                body = path.read_bytes()
            except OSError as exc:
                msg = f"raw batch {folder}: {item['file']} is listed in the manifest but unreadable"
                raise RawDataError(msg) from exc
            if hashlib.sha256(body).hexdigest() != item["sha256"]:
                msg = (
                    f"raw batch {folder}: {item['file']} does not match its SHA-256 in "
                    f"{MANIFEST_NAME}; it was changed after fetching. Fetch the period again."
                )
                raise RawDataError(msg)
            batch.add(
                item["name"],
                endpoint=item["endpoint"],
                request_path=item["request_path"],
                body=body,
                status=item.get("status", 200),
                fetched_at=item.get("fetched_at"),
            )
        return batch


def _unwritable(folder: Path, exc: OSError) -> InputError:
    """The error for a raw folder that cannot be written, naming the path and the reason."""
    where = Path(exc.filename) if exc.filename else folder
    reason = exc.strerror or str(exc)
    if isinstance(exc, NotADirectoryError | FileExistsError):
        reason = "a file stands where a folder is needed"
    msg = f"cannot save raw data to {folder}: {where}: {reason}. Give a writable folder."
    return InputError(msg)


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging`` with renames only."""
    if not folder.exists():
        staging.replace(folder)
        return
    retired = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    folder.replace(retired)
    try:
        staging.replace(folder)
    except OSError:
        retired.replace(folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
