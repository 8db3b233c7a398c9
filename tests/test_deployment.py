"""The production stack in docker-compose.yml, checked without a Docker engine."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} = (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"{name} is not defined in the Makefile"
    return match.group(1).strip()


def test_every_service_the_portal_needs_is_there(compose):
    assert {"web", "worker", "beat", "migrate", "db", "redis", "mailpit"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize("service", ["web", "worker", "beat", "db", "redis", "mailpit"])
def test_long_running_services_have_healthchecks(compose, service):
    assert compose["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_wait_for_healthy_dependencies_and_migrations(compose, service):
    depends_on = compose["services"][service]["depends_on"]
    for dependency in ("db", "redis", "mailpit"):
        assert depends_on[dependency]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_before_web(compose):
    migrate = compose["services"]["migrate"]
    assert "migrate --no-input" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"


@pytest.mark.parametrize(
    ("service", "variable"),
    [("web", "GUNICORN_CMD"), ("worker", "WORKER_CMD"), ("beat", "BEAT_CMD")],
)
def test_commands_match_the_makefile(compose, service, variable):
    assert compose["services"][service]["command"] == _makefile_variable(variable)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_production_configuration(compose, service):
    environment = compose["services"][service]["environment"]
    assert environment["DJANGO_DEBUG"] == "0"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")
    assert environment["EMAIL_HOST"] == "mailpit"
    assert "DJANGO_SECRET_KEY" in environment


def test_every_environment_variable_of_the_stack_is_documented(compose):
    readme = (ROOT / "README.md").read_text()
    for name in compose["services"]["web"]["environment"]:
        assert f"`{name}`" in readme, f"{name} is missing from the README's configuration table"


def test_every_variable_the_settings_read_is_documented():
    settings_source = (ROOT / "rma_portal" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\(\))?\.(?:str|bool|int|float|list)\(\s*"([A-Z_]+)"', settings_source))
    assert len(names) > 30
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []
