"""Property tests over the whole answers space (hypothesis).

Every valid answer set renders a Dockerfile that the official parser accepts, that has no BuildKit-only
syntax, and on which the real hadolint reports no error and no warning. Every invalid one is refused by
`imgwizard render` with exit 2, a line naming the key, and nothing written.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
import re
import subprocess
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screens.cli import main
from wizard import knowledge, lint
from wizard.answers import BY_KEY
from wizard.choices import command_name
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import given_answers

# valid answer sets drawn per run: 1000 keeps CI's share of this test under a minute (2000 took 108 s of a
# 27-minute CI run); IMGWIZARD_PROPERTY_DRAWS=5000 for a deeper search
VALID_DRAWS = int(os.environ.get("IMGWIZARD_PROPERTY_DRAWS", "1000"))


def _hadolint_many(texts: list[str]) -> list[tuple[str, dict]]:
    """hadolint over many Dockerfiles (one process per 100 files, one per core); returns (text, finding)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(texts):
            path = Path(tmp) / f"Dockerfile.{i}"
            path.write_text(text)
            paths.append(path)

        def run(batch: list[Path]) -> list[dict]:
            proc = subprocess.run([lint.hadolint_path(), "--config", str(lint.config_path()), "--no-fail",
                                   "-f", "json", *map(str, batch)], capture_output=True, text=True, timeout=900)
            return json.loads(proc.stdout or "[]")

        batches = [paths[i:i + 100] for i in range(0, len(paths), 100)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = [f for found in pool.map(run, batches) for f in found]
        for finding in results:
            index = int(Path(finding["file"]).name.split(".")[1])
            out.append((texts[index], finding))
    return out


def _installs_the_desktop_command(given_: dict) -> dict:
    """A desktop `command` app must install what it starts (validate refuses it otherwise): add the package
    commands.toml names for it on the drawn OS, or for a program it does not know, a package named like it
    (the user's own naming, which validate then trusts)."""
    if given_.get("app.name") == "command" and given_.get("app.type") == "desktop":
        name = command_name(given_["app.command"])
        need = knowledge.command_need(name, given_.get("os.family", ""), given_.get("os.version", ""))
        extra = list(need.packages[:1]) if need else [name]
        given_["packages.apt"] = [*given_.get("packages.apt", []), *extra]
    return given_


def test_every_valid_answer_set_renders_parses_and_lints_clean():
    dockerfiles: dict[str, dict] = {}
    draws = []

    @settings(max_examples=VALID_DRAWS, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(given_answers().map(_installs_the_desktop_command))
    def draw(given_):
        answers, problems = validate(given_)
        assume(not problems)  # cross-field rules (port clashes, alpine + GPU...) are tested below
        ctx = render(answers)
        text = ctx.dockerfile
        assert lint.parse(text) == [], text
        assert lint.legacy_builder(text) == [], text
        # no secret is baked into a layer: no chpasswd at build time, no ENV/ARG carrying a password or token
        assert "chpasswd" not in text
        assert not re.search(r"^(ENV|ARG)\b.*(PASSWORD|TOKEN|VNC_PW)", text, re.MULTILINE | re.IGNORECASE), text
        draws.append(1)
        dockerfiles.setdefault(text, given_)

    draw()
    assert len(draws) >= VALID_DRAWS
    bad = [(text, f) for text, f in _hadolint_many(list(dockerfiles)) if f["level"] in ("error", "warning")]
    assert not bad, "\n".join(f"{f['code']} line {f['line']}: {f['message']}\n{dockerfiles[t]}" for t, f in bad[:5])


def _invalid_value(key: str):
    kind = BY_KEY[key].kind
    return {"bool": st.sampled_from(["yes", 1, "true"]),
            "int": st.sampled_from([0, 70000, -1, "many", 3.5]),
            "list": st.sampled_from([["Bad Name!"], "a;rm -rf /", [1, 2]]),
            }.get(kind, st.sampled_from(["no such choice", "Bad Name!", "", "a\nb", 42]))


_INVALIDABLE = [k for k, f in BY_KEY.items()
                if f.kind in ("bool", "int", "list") or (f.kind == "choice" and not f.free)
                or k in ("image.name", "image.tag", "app.archive", "app.python", "gpu.devices", "user.workdir",
                         "os.base_release")]


@st.composite
def invalid_answers(draw):
    given_ = draw(given_answers())
    applicable = [k for k in given_ if k in _INVALIDABLE]
    key = draw(st.sampled_from(applicable))
    value = draw(_invalid_value(key))
    given_[key] = value
    _, problems = validate(given_)
    assume(any(k == key for k, _ in problems))
    return key, given_


def _to_toml(given_: dict) -> str:
    doc: dict = {"version": 1}
    for key, value in given_.items():
        section, name = key.split(".", 1)
        doc.setdefault(section, {})[name] = value
    return tomli_w.dumps(doc)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
@given(invalid_answers())
def test_every_invalid_answer_set_is_refused_and_nothing_written(tmp_path_factory, capsys, case):
    key, given_ = case
    folder = tmp_path_factory.mktemp("invalid")
    answers = folder / "answers.toml"
    answers.write_text(_to_toml(given_))
    out = folder / "out"
    assert main(["render", str(answers), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    line = next((ln for ln in err.splitlines() if f": {key}: " in ln), "")
    assert "accepted: " in line, err
    assert "Traceback" not in err
    assert not out.exists()
