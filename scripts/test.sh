#!/usr/bin/env bash
# The test command (README and .ci/run both use it): a venv in .venv, the project with its test extras, pytest.
# Extra arguments go to pytest. IMGWIZARD_REQUIRE_DOCKER=1 turns the Docker tests' skips into failures.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest "$@"
