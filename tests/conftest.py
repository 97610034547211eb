"""Shared fixtures. `docker_client`: a real Docker engine for the tests marked `docker`.

Without an engine those tests skip with the reason; with IMGWIZARD_REQUIRE_DOCKER=1 (CI) they fail instead,
so a CI run can never pass by skipping them.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Property tests without their own max_examples (tests/test_hostile.py) draw a few dozen examples per test
# locally and many more in CI (CI=true), where a whole run of them stays under about 90 s.
settings.register_profile("dev", max_examples=40)
settings.register_profile("ci", max_examples=300)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "dev")


def docker_required() -> bool:
    return os.environ.get("IMGWIZARD_REQUIRE_DOCKER", "") not in ("", "0")


@pytest.fixture(scope="session")
def docker_client():
    import docker

    from wizard.engine.connect import engine_status

    reason = engine_status()
    if reason:
        if docker_required():
            pytest.fail(f"IMGWIZARD_REQUIRE_DOCKER is set but {reason}", pytrace=False)
        pytest.skip(f"{reason} (set IMGWIZARD_REQUIRE_DOCKER=1 to make this a failure)")
    client = docker.from_env(timeout=600)
    yield client
    client.close()
