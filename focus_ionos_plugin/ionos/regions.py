"""IONOS locations (``de/fra``) and their readable names, for FOCUS RegionId and RegionName.

The names live in ``ionos/data/regions.csv`` (location code, name); a location the file does
not know keeps its code as name, so RegionName is never null next to a RegionId. Only values
shaped like an IONOS location code (``cc/xxx``) become a RegionId: a data-center UUID or an
empty string never does.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib.resources import files

__all__ = ["is_location", "region_name", "regions"]

_LOCATION = re.compile(r"^[a-z]{2}/[a-z0-9]{2,10}$")


@cache
def regions() -> dict[str, str]:
    """Location code -> readable region name, from the shipped data file."""
    text = (files("focus_ionos_plugin.ionos") / "data" / "regions.csv").read_text("utf-8")
    return {row["location"]: row["region_name"] for row in csv.DictReader(io.StringIO(text))}


def is_location(value: str | None) -> bool:
    """True when ``value`` looks like an IONOS location code such as ``de/fra``."""
    return bool(value) and bool(_LOCATION.match(value or ""))


def region_name(location: str) -> str:
    """The readable name of ``location``; the code itself when the map lacks it."""
    return regions().get(location, location)
