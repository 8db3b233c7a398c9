"""Every application module stays small enough to read in one go: at most 350 lines.

Migrations, tests, settings and the benchmarks are left out. A module that grows past the
limit is split by concept (see docs/architecture.md), not listed as an exception.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = ("accounts", "payments", "rma", "rma_portal")
LIMIT = 350
LEFT_OUT = {"rma_portal/settings.py"}


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
    too_long = {name: size for name, size in application_modules().items() if size > LIMIT}
    assert not too_long, f"split these modules by concept (at most {LIMIT} lines each): {too_long}"
