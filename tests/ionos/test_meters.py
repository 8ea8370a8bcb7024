"""The meter catalog: lookups, FOCUS-allowed values, units, user extension files."""

from __future__ import annotations

import pytest

from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.focus.schema import column_specs
from focus_ionos_plugin.ionos.meters import (
    CATALOG_ENV,
    COLUMNS,
    builtin_catalog,
    catalog_for,
    focus_unit,
    load_catalog,
    subcategory_parents,
)
from focus_ionos_plugin.ionos.regions import is_location, region_name

HEADER = ",".join(COLUMNS)


def test_exact_meter_wins_over_prefix():
    info = builtin_catalog().lookup("C05000")
    assert (info.service_name, info.service_category, info.service_subcategory) == (
        "Compute Engine",
        "Compute",
        "Virtual Machines",
    )
    assert (info.resource_type, info.consumed_unit, info.pricing_unit) == (
        "Server",
        "Core-Hours",
        "Core-Hours",
    )
    assert (info.matched_by, info.sku_meter) == ("meter", "vCPU core AMD EPYC")


def test_longest_prefix_matches_unlisted_meter_ids():
    catalog = builtin_catalog()
    assert catalog.lookup("S3SU1200").service_name == "Object Storage"
    assert catalog.lookup("S3SU1200").pricing_unit == "GiB-Months"
    assert catalog.lookup("CWSQL2001").sku_meter == "MS SQL Server licence (2 cores)"
    assert catalog.lookup("CW10EU").sku_meter == "MS Windows licence core"
    assert catalog.lookup("CTO1300").matched_by == "prefix"


def test_unknown_meter_uses_resource_type_then_other():
    catalog = builtin_catalog()
    by_type = catalog.lookup("ZZ9000", "NATGATEWAY", "1 hour")
    assert (by_type.service_name, by_type.matched_by, by_type.pricing_unit) == (
        "NAT Gateway",
        "resource_type",
        "Hours",
    )
    unknown = catalog.lookup("ZZ9000", "WEIRDTHING", "1G*30Days")
    assert (unknown.service_category, unknown.service_subcategory) == ("Other", "Other (Other)")
    assert unknown.resource_type == "WEIRDTHING"
    assert unknown.pricing_unit == "GiB-Months"
    assert not unknown.known


@pytest.mark.parametrize(
    ("ionos", "focus"),
    [
        ("1 hour", "Hours"),
        ("1hour", "Hours"),
        ("1G * 1 hour", "GiB-Hours"),
        ("1G*1hour", "GiB-Hours"),
        ("1 GB * 30 days", "GiB-Months"),
        ("1G*30Days", "GiB-Months"),
        ("30 days", "Months"),
        ("30Days", "Months"),
        ("1G", "GiB"),
        ("1 request", "1 request"),
        ("", None),
        (None, None),
    ],
)
def test_ionos_units_become_focus_units(ionos, focus):
    assert focus_unit(ionos) == focus


def test_every_builtin_entry_uses_allowed_category_pairs():
    specs = column_specs()
    categories = set(specs["ServiceCategory"].allowed_values or ())
    parents = subcategory_parents()
    assert len(parents) == len(specs["ServiceSubcategory"].allowed_values or ())
    for entry in builtin_catalog().entries:
        assert entry.service_category in categories, entry
        assert parents[entry.service_subcategory] == entry.service_category, entry


def test_each_service_name_has_one_category_and_subcategory():
    seen: dict[str, tuple[str, str]] = {}
    for entry in builtin_catalog().entries:
        pair = (entry.service_category, entry.service_subcategory)
        assert seen.setdefault(entry.service_name, pair) == pair, entry.service_name


def test_extension_file_overrides_and_adds(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        f"{HEADER}\n"
        "meter,C05000,Dedicated Core Servers,Compute,Virtual Machines,Server,Core-Hours,"
        "Core-Hours,AMD EPYC core\n"
        "prefix,K8S,Managed Kubernetes,Compute,Containers,Node Pool,Hours,Hours,Node\n",
        encoding="utf-8",
    )
    catalog = load_catalog(path)
    assert catalog.lookup("C05000").service_name == "Dedicated Core Servers"
    assert catalog.lookup("K8S1000").service_subcategory == "Containers"
    assert catalog.lookup("R01000").service_name == "Compute Engine"
    assert catalog.sources[-1] == str(path)
    assert sum(1 for e in catalog.entries if e.kind == "meter" and e.match == "C05000") == 1


def test_extension_comes_from_option_before_environment(tmp_path):
    env_file = tmp_path / "env.csv"
    env_file.write_text(f"{HEADER}\nmeter,X1,From Env,Other,Other (Other),,,,\n", encoding="utf-8")
    option_file = tmp_path / "option.csv"
    option_file.write_text(
        f"{HEADER}\nmeter,X1,From Option,Other,Other (Other),,,,\n", encoding="utf-8"
    )
    settings = {CATALOG_ENV: str(env_file)}
    assert catalog_for({}, settings).lookup("X1").service_name == "From Env"
    chosen = catalog_for({"meter_catalog": str(option_file)}, settings)
    assert chosen.lookup("X1").service_name == "From Option"


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("meter,X1,Svc,Computing,Virtual Machines,,,,", "not a FOCUS 1.3 ServiceCategory"),
        ("meter,X1,Svc,Compute,Block Storage,,,,", "not a FOCUS 1.3 subcategory of 'Compute'"),
        ("bogus,X1,Svc,Compute,Virtual Machines,,,,", "kind 'bogus'"),
        ("meter,,Svc,Compute,Virtual Machines,,,,", "match is empty"),
    ],
)
def test_bad_extension_lines_name_file_and_line(tmp_path, line, complaint):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_catalog(path)
    assert f"{path}, line 2" in str(caught.value)
    assert complaint in str(caught.value)


def test_extension_without_header_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("meter,service\nC1,X\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks the column"):
        load_catalog(path)


def test_missing_extension_file_says_where_it_was_named(tmp_path):
    with pytest.raises(InputError, match="--meter-catalog or FOCUS_IONOS_METER_CATALOG"):
        load_catalog(tmp_path / "nope.csv")


def test_regions_are_location_codes_with_names():
    assert region_name("de/fra") == "Frankfurt (Germany)"
    assert region_name("es/vit") == "Logroño (Spain)"
    assert region_name("xx/new") == "xx/new"
    assert is_location("de/txl")
    assert not is_location("5b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8")
    assert not is_location("")
    assert not is_location(None)
