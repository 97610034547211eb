"""The answers files of the real-engine tests (tests/docker/), written from one shared default so that each test
states only what is special about it.

The default is a shell image on Debian (os.family = "debian": debian:bookworm-slim, the base this machine made
without a registry, scripts/make-base-image.sh) without the common tools and without SSH. A test gives its own
sections as keyword arguments; each one is laid over the default's section of that name, key by key:

    answers_toml("java", packages={"java": "17"})   # Debian shell, common = false, java = "17", ssh off

The text is written by the project's own writer (wizard.answers_file), so it is an answers file as a user has it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Mapping

from wizard.answers import FORMAT_VERSION
from wizard.answers_file import dump_document

PREFIX = "imgwizard-test"  # every test image's name (and tag repository) starts with it

DEFAULT: dict[str, dict[str, Any]] = {
    "app": {"type": "shell"},
    "os": {"family": "debian"},
    "packages": {"common": False},
    "ssh": {"enabled": False},
}

# The public half of the session's test key (tests/docker/conftest.py `ssh_keypair`), put beside the answers file.
KEY_FILE = "id.pub"
KEY_LOGIN = {"enabled": True, "auth": "key", "authorized_key": KEY_FILE}
PASSWORD_LOGIN = {"enabled": True, "auth": "password"}
FORWARD = {"enabled": True, "listen": 31000, "target": 8006}
# This machine's CA bundle: it holds the CA of the TLS proxy in front of PyPI, so pip in the build trusts it.
MACHINE_CA = {"extra_ca": "/etc/ssl/certs/ca-certificates.crt"}
JUPYTER = {"type": "web", "name": "jupyter", "python_from": "system", "auth": True, "port": 31000}
BUILTIN_DESKTOP = {"engine": "builtin"}


def desktop_app(command: str) -> dict:
    """The [app] of a program started on the desktop by its command."""
    return {"type": "desktop", "name": "command", "command": command}


def answers_toml(name: str, **sections: Mapping[str, Any]) -> str:
    """The answers file of the image imgwizard-test/NAME: DEFAULT with `sections` laid over it key by key
    (a section DEFAULT lacks is added as given)."""
    doc: dict[str, Any] = {"version": FORMAT_VERSION, "image": {"name": f"{PREFIX}/{name}"}}
    for section in {**DEFAULT, **sections}:
        doc[section] = {**DEFAULT.get(section, {}), **sections.get(section, {})}
    return dump_document(doc)


def put_test_key(folder: Path, keypair: Path) -> Path:
    """The folder (made here) with the test key's public half in it as KEY_FILE, for KEY_LOGIN."""
    folder.mkdir(parents=True)
    shutil.copy(f"{keypair}.pub", folder / KEY_FILE)
    return folder
