"""Every application module stays small enough to read in one go: at most 350 lines.

Migrations, tests, settings and the benchmarks are left out. A module still over the limit
is listed in ``NOT_YET_SPLIT`` with its size today, which it may not pass; once it is split
it must leave the list.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = ("accounts", "payments", "rma", "rma_portal")
LIMIT = 350
LEFT_OUT = {"rma_portal/settings.py"}

# Module -> its size when it was listed. To be split, not to grow.
NOT_YET_SPLIT: dict[str, int] = {}


def application_modules() -> dict[str, int]:
    sizes = {}
    for app in APPLICATIONS:
        for path in (ROOT / app).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in LEFT_OUT:
                continue
            sizes[name] = len(path.read_text(encoding="utf-8").splitlines())
    return sizes


def test_the_modules_are_found():
    sizes = application_modules()
    assert "payments/models.py" in sizes
    assert not any("/migrations/" in name for name in sizes)


def test_no_application_module_passes_the_limit():
    too_long = {
        name: size
        for name, size in application_modules().items()
        if size > LIMIT and name not in NOT_YET_SPLIT
    }
    assert not too_long, f"split these modules by concept (at most {LIMIT} lines each): {too_long}"


@pytest.mark.parametrize("name", sorted(NOT_YET_SPLIT))
def test_a_module_not_yet_split_does_not_grow(name):
    size = application_modules().get(name)
    assert size is not None, f"{name} is gone: take it off NOT_YET_SPLIT"
    assert size > LIMIT, f"{name} is {size} lines now: take it off NOT_YET_SPLIT"
    assert size <= NOT_YET_SPLIT[name], f"{name} grew from {NOT_YET_SPLIT[name]} to {size} lines"
