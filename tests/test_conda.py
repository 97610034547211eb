"""The conda settings the image gets, checked against conda's documented merge of its settings files.

Conda itself cannot run here (Miniconda comes from repo.anaconda.com, not reachable from this machine), so
these tests load each settings file as YAML and apply conda's documented rules for the keys imgwizard uses
(docs/upstream.md §5): files are read in search-path order, lowest priority first ($CONDA_ROOT/.condarc, then
$CONDA_ROOT/condarc.d/*.yml|*.yaml in sorted order, then the user's files); a later file wins for a single value
(channel_alias, plugins.auto_accept_tos), a mapping (custom_channels) is merged key by key with the later file
winning, and a sequence (channels, default_channels) is merged with the later file's items first, duplicates
dropped. Since conda 25.9 an empty `channels` no longer means `defaults` (conda/conda PR #15196).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from wizard.validate import validate
from wizard.render import render

# What Miniconda's installer (constructor) writes to <prefix>/.condarc: the one line that names a channel.
MINICONDA_CONDARC = "channels:\n  - defaults\n"
SEQUENCES = ("channels", "default_channels")
MAPPINGS = ("custom_channels", "plugins")
ANACONDA_DEFAULTS = ["https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r"]


def merged(*files: str) -> dict[str, Any]:
    """The effective settings of `files` (lowest priority first) under conda's documented merge rules."""
    result: dict[str, Any] = {}
    for text in files:
        for key, value in (yaml.safe_load(text) or {}).items():
            if key in SEQUENCES:
                result[key] = list(dict.fromkeys([*value, *result.get(key, [])]))
            elif key in MAPPINGS:
                result[key] = {**result.get(key, {}), **value}
            else:
                result[key] = value
    return result


def effective_channels(settings: dict[str, Any]) -> list[str]:
    """The channel URLs conda searches: `defaults` expands to default_channels (Anaconda's when unset)."""
    urls: list[str] = []
    for channel in settings.get("channels", []):
        urls += settings.get("default_channels", ANACONDA_DEFAULTS) if channel == "defaults" else [channel]
    return urls


def condarc(**given: Any) -> tuple[str, str]:
    """(the Dockerfile, the condarc.d file's text) for a Jupyter-on-conda context with `given` answers."""
    answers, problems = validate({"ssh.enabled": False, "app.type": "web", "app.name": "jupyter",
                                  **{k.replace("__", "."): v for k, v in given.items()}})
    assert problems == []
    context = render(answers)
    return context.dockerfile, context.files["condarc"].text


@pytest.mark.parametrize("mirror", ["tuna", "https://mirrors.example.com"])
def test_the_mirror_adds_to_minicondas_channels_instead_of_replacing_them(mirror):
    dockerfile, ours = condarc(mirror__conda=mirror)
    assert "COPY condarc /opt/conda/condarc.d/imgwizard.yaml" in dockerfile
    assert "/opt/conda/.condarc" not in dockerfile  # the installer's file stays as it is
    root = "https://mirrors.tuna.tsinghua.edu.cn" if mirror == "tuna" else mirror
    settings = merged(MINICONDA_CONDARC, ours)
    assert effective_channels(settings) == [f"{root}/anaconda/pkgs/main", f"{root}/anaconda/pkgs/r"]
    assert settings["custom_channels"] == {"conda-forge": f"{root}/anaconda/cloud"}
    assert settings["plugins"] == {"auto_accept_tos": True}
    assert "channel_alias" not in settings  # anaconda.org names keep their usual meaning


def test_our_file_alone_names_no_channel_which_is_why_it_must_not_replace_minicondas():
    """The old way (our file copied over .condarc) left conda 25.9+ with no channel at all."""
    _, ours = condarc(mirror__conda="tuna")
    assert effective_channels(merged(ours)) == []


def test_without_a_mirror_the_default_channels_stay_anacondas_and_their_terms_are_accepted():
    dockerfile, ours = condarc()
    settings = merged(MINICONDA_CONDARC, ours)
    assert effective_channels(settings) == ANACONDA_DEFAULTS
    assert settings["plugins"]["auto_accept_tos"] is True
    assert "CONDA_PLUGINS_AUTO_ACCEPT_TOS" not in dockerfile  # the file accepts them for later installs too


def test_a_users_own_condarc_still_wins():
    """~/.condarc comes after <conda>/condarc.d in the search path, so a user can choose other channels."""
    _, ours = condarc(mirror__conda="tuna")
    user = "channels:\n  - conda-forge\nplugins:\n  auto_accept_tos: false\n"
    settings = merged(MINICONDA_CONDARC, ours, user)
    assert settings["channels"] == ["conda-forge", "defaults"] and settings["plugins"]["auto_accept_tos"] is False
