"""The hashed lock: every dependency pyproject.toml names is pinned in it, with hashes, and every install uses it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"


def pinned() -> dict[str, str]:
    """Each locked package's canonical name and version, checking that every pin carries its hashes."""
    text = LOCK.read_text()
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.split("\\", 1)[0].strip()
        if "==" not in first:
            continue
        name, version = first.split("==", 1)
        assert "--hash=sha256:" in block, f"{name} is pinned without a hash"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_dependency_and_extra_is_pinned_in_the_lock_at_a_version_its_range_allows() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    pins = pinned()
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in the lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock's {requirement.name}=={pins[name]} is outside pyproject.toml's {requirement.specifier}: "
            "run `make lock`"
        )


def test_make_ci_and_the_image_install_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile and "LOCK := requirements/lock.txt" in makefile
    assert "--no-deps" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/lock.txt" in dockerfile
    assert "--no-deps" in dockerfile
