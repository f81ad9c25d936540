from __future__ import annotations

import pytest

from oncall.core.catalog import Catalog
from oncall.core.errors import BundleError
from oncall.estate.bundle import load_catalog

CAT = {
    "services": {
        "gw": {"depends_on": ["users", "orders"]},
        "users": {"depends_on": ["db"]},
        "orders": {"depends_on": ["db", "pay"]},
        "pay": {"depends_on": ["psp"]},
        "db": {},
        "psp": {},
    }
}


def test_dependencies_nearest_first_and_bounded():
    c = Catalog.model_validate(CAT)
    assert c.dependencies("gw") == ["users", "orders", "db", "pay", "psp"]
    assert c.dependencies("gw", depth=1) == ["users", "orders"]
    assert sorted(c.dependents("db")) == ["orders", "users"]


def test_unknown_dependency_is_rejected_by_name(tmp_path):
    p = tmp_path / "catalog.yaml"
    p.write_text("services:\n  a:\n    depends_on: [ghost]\n")
    with pytest.raises(BundleError, match="ghost"):
        load_catalog(p)


def test_invalid_yaml_is_a_bundle_error(tmp_path):
    p = tmp_path / "catalog.yaml"
    p.write_text("services: [unclosed\n")
    with pytest.raises(BundleError, match=r"catalog\.yaml"):
        load_catalog(p)
