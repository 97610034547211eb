"""mirror.registry (issue 30 part 3): the answer's grammar, and every FROM of a Docker Hub image through the mirror
(build stages too), with `library/` for an official image, its tag and digest kept; other registries and scratch
left alone. tests/docker/test_registry_mirror.py builds through a real registry; the pre-build check's logic is
tested here with a fake engine."""

from __future__ import annotations

import re
import threading
import time

import docker.errors
import pytest

from wizard import knowledge
from wizard.answers import BY_KEY, coerce
from wizard.registry_mirror import check, hub_path, registry_of, through
from wizard.render import render
from wizard.text import in_lang
from wizard.validate import validate

NO_SSH = {"ssh.enabled": False}
DIGEST = "sha256:" + "a" * 64


def froms(dockerfile: str) -> list[str]:
    return [line.split()[1] for line in dockerfile.splitlines() if line.startswith("FROM ")]


def rendered(**given):
    answers, problems = validate({**NO_SSH, **given})
    assert problems == []
    return render(answers)


@pytest.mark.parametrize("ref,pulled", [
    ("debian:bookworm-slim", "mirror.example:5000/library/debian:bookworm-slim"),
    ("ubuntu", "mirror.example:5000/library/ubuntu"),
    (f"ubuntu:22.04@{DIGEST}", f"mirror.example:5000/library/ubuntu:22.04@{DIGEST}"),
    ("jlesage/baseimage-gui:debian-12-v4.13.1", "mirror.example:5000/jlesage/baseimage-gui:debian-12-v4.13.1"),
    ("docker.io/library/debian:12", "mirror.example:5000/library/debian:12"),
    ("docker.io/debian:12", "mirror.example:5000/library/debian:12"),
    ("index.docker.io/kasmweb/core-ubuntu-jammy:1.18.0", "mirror.example:5000/kasmweb/core-ubuntu-jammy:1.18.0"),
    ("ghcr.io/linuxserver/baseimage-kasmvnc:debianbookworm", "ghcr.io/linuxserver/baseimage-kasmvnc:debianbookworm"),
    ("lscr.io/linuxserver/baseimage-kasmvnc:x", "lscr.io/linuxserver/baseimage-kasmvnc:x"),
    ("localhost:5000/debian:12", "localhost:5000/debian:12"),
    ("registry.example.com/team/debian:12", "registry.example.com/team/debian:12"),
    ("scratch", "scratch"),
])
def test_a_docker_hub_image_goes_through_the_mirror_and_nothing_else_does(ref, pulled):
    assert through(ref, "mirror.example:5000") == pulled
    assert through(ref, "") == ref


def test_a_path_prefix_comes_before_the_hub_path():
    assert through("debian:12", "harbor.example.com/hub-proxy") == "harbor.example.com/hub-proxy/library/debian:12"
    assert registry_of("debian") == "docker.io" and hub_path("team/app@" + DIGEST) == "team/app@" + DIGEST


@pytest.mark.parametrize("value", ["", "mirror.example.com", "mirror.example.com:5000", "127.0.0.1:5000", "mirror:5000",
                                   "localhost", "localhost:5000", "harbor.example.com/hub-proxy",
                                   "m.example:443/a/b-c/d_e", "MIRROR.Example.com"])
def test_accepted_mirrors(value):
    assert check(value) is None
    assert coerce(BY_KEY["mirror.registry"], value, {}) == (value, None)


@pytest.mark.parametrize("value,words", [
    ("mirror", "a one-part name needs a port"),  # docker reads mirror/library/debian as a Docker Hub repository
    ("http://mirror.example.com", "without http:// or https://"),
    ("https://mirror.example.com:5000", "without http:// or https://"),
    ("mirror.example.com:0", "a port 1-65535"),
    ("mirror.example.com:65536", "a port 1-65535"),
    ("mirror.example.com:080", "a port 1-65535"),
    ("-mirror.example.com", "host[:port][/path]"),
    ("mirror..example.com", "host[:port][/path]"),
    ("mirror.example.com/", "host[:port][/path]"),
    ("mirror.example.com/Hub", "lower-case parts"),
    ("mirror.example.com/a b", "host[:port][/path]"),
    ("mirror.example.com:5000/library/debian:12", "host[:port][/path]"),
    ("mirror.example.com\n", "control character"),
    ("a" * 60 + "." + "b" * 60 + ".example", "at most 128 characters"),  # 129, each label fine
])
def test_refused_mirrors_name_the_key_and_what_is_accepted(value, words):
    answers, problems = validate({**NO_SSH, "mirror.registry": value})
    assert [key for key, _ in problems] == ["mirror.registry"], problems
    assert words in problems[0][1]
    assert "mirror.registry" not in answers or answers["mirror.registry"] == ""


def test_the_refusal_is_in_chinese_too():
    _, problems = validate({**NO_SSH, "mirror.registry": "http://m.example"})
    assert "不带 http://" in in_lang(problems[0][1], "zh")


def test_every_from_of_the_dockerfile_goes_through_the_mirror_and_the_label_keeps_the_base_s_name():
    c = rendered(**{"mirror.registry": "127.0.0.1:5000"})
    assert froms(c.dockerfile) == ["127.0.0.1:5000/library/debian:bookworm-slim"]
    assert "# pulled through the registry mirror 127.0.0.1:5000 (mirror.registry)" in c.dockerfile
    assert 'org.opencontainers.image.base.name="debian:bookworm-slim"' in c.dockerfile
    assert c.warnings == []
    assert froms(rendered().dockerfile) == ["debian:bookworm-slim"]  # no mirror: as before


def test_the_jetbrains_unpack_stage_and_a_pinned_digest_go_through_the_mirror_too():
    base = knowledge.base("novnc", "debian", "12")
    c = rendered(**{"app.type": "desktop", "app.name": "jetbrains", "os.family": "debian", "os.version": "12",
                    "app.archive": "pycharm-community-2024.2.1.tar.gz", "mirror.registry": "m.example.com/hub"})
    assert froms(c.dockerfile) == [f"m.example.com/hub/{base.ref()}"] * 2  # the unpack stage and the image
    assert re.search(r"^FROM m\.example\.com/hub/jlesage/\S+ AS unpack$", c.dockerfile, re.MULTILINE)
    if "@sha256:" in base.ref():
        assert froms(c.dockerfile)[0].endswith(base.ref().split("@", 1)[1])


def test_an_image_of_another_registry_is_pulled_from_there_with_a_warning():
    c = rendered(**{"app.type": "desktop", "desktop.engine": "kasm", "mirror.registry": "m.example.com"})
    assert all(ref.startswith("ghcr.io/linuxserver/baseimage-kasmvnc:") for ref in froms(c.dockerfile))
    assert len(c.warnings) == 1 and c.warnings[0].startswith("mirror.registry m.example.com serves Docker Hub images "
                                                             "only: FROM ghcr.io/linuxserver/")
    assert "ghcr.io" in in_lang(c.warnings[0], "zh") and "只代理 Docker Hub" in in_lang(c.warnings[0], "zh")
    own = rendered(**{"os.base_image": "registry.example.com/debian:12", "mirror.registry": "m.example.com"})
    assert froms(own.dockerfile) == ["registry.example.com/debian:12"] and own.warnings


def test_scratch_has_no_registry_mirror_question_and_stays_scratch():
    answers, problems = validate({"app.type": "binary", "app.command": "hello"})
    assert problems == [] and "mirror.registry" not in answers
    assert froms(render(answers).dockerfile) == ["scratch"]


# ------------------------------------------------------------------ the pre-build check (wizard/engine/pull_check.py)

class FakeImages:
    """An engine's images API: `local` refs it has; `registry` says what get_registry_data does for a ref
    (None: answers; an exception: raises it; a number: hangs that many seconds first)."""

    def __init__(self, local=(), registry=None):
        self.local, self.registry, self.asked = set(local), registry or {}, []

    def get(self, ref):
        if ref in self.local:
            return object()
        raise docker.errors.ImageNotFound(f"No such image: {ref}")

    def get_registry_data(self, ref):
        self.asked.append(ref)
        outcome = self.registry.get(ref)
        if isinstance(outcome, (int, float)):
            time.sleep(outcome)
        elif isinstance(outcome, Exception):
            raise outcome


class FakeClient:
    def __init__(self, images):
        self.images = images


def refused(why: str) -> docker.errors.APIError:
    return docker.errors.APIError("500 Server Error", explanation=why)


def test_a_base_the_engine_has_is_not_asked_of_any_registry():
    from wizard.engine.pull_check import check_bases
    images = FakeImages(local={"debian:bookworm-slim"})
    assert check_bases(FakeClient(images), "FROM debian:bookworm-slim\nRUN true\n") == (None, [])
    assert images.asked == []


def test_unreachable_mirror_is_one_line_naming_the_answer_within_the_time_out():
    from wizard.engine.pull_check import check_bases
    ref = "127.0.0.1:9/library/debian:bookworm-slim"
    images = FakeImages(registry={ref: refused('Get "http://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: '
                                               'connection refused')})
    problem, _ = check_bases(FakeClient(images), f"FROM {ref} AS unpack\nFROM {ref}\n", mirror="127.0.0.1:9")
    assert problem is not None and "\n" not in problem
    assert problem.startswith("the engine cannot reach the registry mirror 127.0.0.1:9 (mirror.registry) for "
                              f"{ref} (") and "connection refused" in problem
    assert images.asked == [ref]  # each image once
    assert "mirror.registry" in in_lang(problem, "zh")


def test_a_registry_that_does_not_answer_is_given_up_after_the_time_out():
    from wizard.engine.pull_check import check_bases
    images = FakeImages(registry={"debian:bookworm-slim": 30})
    start = time.monotonic()
    problem, _ = check_bases(FakeClient(images), "FROM debian:bookworm-slim\n", timeout=0.5)
    assert time.monotonic() - start < 2
    assert problem is not None and problem.startswith("the engine cannot reach Docker Hub for debian:bookworm-slim "
                                                      "(no answer within 0.5 s): set mirror.registry")
    assert "mirror.registry" in problem and "registry-mirrors" in problem and "daemon.json" in problem


def test_an_answer_other_than_a_network_failure_lets_the_build_say_it():
    """Unauthorized, not found...: the registry answered, the build's own pull says what is wrong at once."""
    from wizard.engine.pull_check import check_bases
    images = FakeImages(registry={"team/private:1": refused("pull access denied for team/private")})
    problem, notes = check_bases(FakeClient(images), "FROM team/private:1\n")
    assert problem is None and images.asked == ["team/private:1"]


def test_scratch_stage_names_and_arguments_are_not_images():
    from wizard.engine.pull_check import base_refs
    text = ("FROM --platform=linux/amd64 debian:12 AS unpack\nFROM unpack AS two\nfrom scratch\n"
            "FROM ${BASE}\nFROM alpine:3.21\n")
    assert base_refs(text) == ["debian:12", "alpine:3.21"]


def test_text_from_the_engine_is_made_safe():
    from wizard.engine.pull_check import check_bases
    images = FakeImages(registry={"debian:12": refused("dial tcp: lookup x\x1b]0;owned\x07: no such host")})
    problem, _ = check_bases(FakeClient(images), "FROM debian:12\n")
    assert problem is not None and "\x1b" not in problem and "\x07" not in problem


def test_the_probe_thread_does_not_block_the_caller(monkeypatch):
    from wizard.engine.pull_check import check_bases
    images = FakeImages(registry={"debian:12": 5})
    done = threading.Event()
    threading.Thread(target=lambda: (check_bases(FakeClient(images), "FROM debian:12\n", timeout=0.2), done.set()),
                     daemon=True).start()
    assert done.wait(2)
