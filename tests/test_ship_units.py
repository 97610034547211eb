"""The pieces of remote builds and pushes that need no engine: the context upload count (wizard/engine/upload.py), the
push stream's per-layer state and its one-line reasons (wizard/engine/push.py), the push's care for the user's tags
(against a fake engine), the CLI's layer bars, and check's refusal to probe through tcp:// (wizard/engine/reach.py).
Real engines: tests/docker/test_remote.py, test_push.py."""

from __future__ import annotations

import io
import json
import tarfile
from types import SimpleNamespace

import docker.errors
import pytest

from screens.cli.push import LayerView, layer_line
from wizard.engine.push import (Layer, PushCancelled, PushError, PushProgress, TagTaken, credentials_note, explain,
                                parse_target, push_image)
from wizard.engine.reach import Unreachable, route_for
from wizard.engine.upload import Sending, context_archive


def test_the_context_tar_honours_dockerignore(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\n\nsecret.txt\n*.log\n")
    for name in ("secret.txt", "build.log", "app.py"):
        (tmp_path / name).write_text(name)
    with context_archive(tmp_path) as archive, tarfile.open(fileobj=archive) as tar:
        assert sorted(tar.getnames()) == [".dockerignore", "Dockerfile", "app.py"]


def test_sending_counts_every_byte_and_reports_the_end_once():
    calls = []
    clock = iter(range(0, 1000)).__next__  # one second per read: every read is reported
    sending = Sending(io.BytesIO(b"x" * 25_000), lambda n, total: calls.append((n, total)), every=0.5, clock=clock)
    assert len(sending) == 25_000  # requests takes Content-Length from it
    while sending.read(8192):
        pass
    assert calls == [(8192, 25_000), (16384, 25_000), (24576, 25_000), (25_000, 25_000)]


def test_sending_is_quiet_between_reports():
    calls = []
    sending = Sending(io.BytesIO(b"x" * 10_000), lambda n, total: calls.append(n), every=60, clock=lambda: 5.0)
    while sending.read(1000):
        pass
    assert calls == [1000, 10_000]  # the first read (the clock starts "long ago") and the last byte


RECORDED = [  # docker push's JSON stream (engine 20.10), ids shortened as the engine sends them
    {"status": "The push refers to repository [127.0.0.1:5000/team/app]"},
    {"status": "Preparing", "progressDetail": {}, "id": "180ed1bca36a"},
    {"status": "Preparing", "progressDetail": {}, "id": "bfa4d3bd88af"},
    {"status": "Pushing", "progressDetail": {"current": 512, "total": 2048}, "progress": "[==>  ]", "id": "180ed1bca36a"},
    {"status": "Layer already exists", "progressDetail": {}, "id": "bfa4d3bd88af"},
    {"status": "Pushed", "progressDetail": {}, "id": "180ed1bca36a"},
    {"status": "1: digest: sha256:" + "a" * 64 + " size: 528"},
    {"progressDetail": {}, "aux": {"Tag": "1", "Digest": "sha256:" + "a" * 64, "Size": 528}},
]


def test_push_progress_follows_each_layer():
    progress = PushProgress()
    changed = [progress.update(chunk) for chunk in RECORDED]
    assert [c.id for c in changed if c] == ["180ed1bca36a", "bfa4d3bd88af", "180ed1bca36a", "bfa4d3bd88af",
                                           "180ed1bca36a"]
    top, base = progress.layers["180ed1bca36a"], progress.layers["bfa4d3bd88af"]
    assert (top.status, top.current, top.total, top.finished) == ("Pushed", 2048, 2048, True)
    assert base.finished and progress.digest == "sha256:" + "a" * 64 and progress.size == 528


def test_an_error_chunk_stops_the_push():
    with pytest.raises(PushError, match="unauthorized: authentication required"):
        PushProgress().update({"errorDetail": {"message": "unauthorized: authentication required"},
                               "error": "unauthorized: authentication required"})


@pytest.mark.parametrize("engine_says, starts", [
    ("unauthorized: authentication required", "reg.example.com refused the push: not logged in"),
    ("denied: requested access to the resource is denied", "reg.example.com refused the push"),
    ('Get "https://reg.example.com/v2/": http: server gave HTTP response to HTTPS client',
     "reg.example.com speaks plain HTTP, which the engine allows only for 127.0.0.0/8"),
    ("Get https://reg.example.com/v2/: x509: certificate signed by unknown authority",
     "the engine does not trust reg.example.com's TLS certificate; put its CA in /etc/docker/certs.d/"
     "reg.example.com/ca.crt"),
    ('Get "http://reg.example.com/v2/": dial tcp 10.0.0.9:443: connect: connection refused',
     "nothing answers at reg.example.com"),
])
def test_push_failures_say_what_to_do(engine_says, starts):
    line = explain(engine_says, "reg.example.com")
    assert line.startswith(starts) and line.endswith(f"(engine: {engine_says})") and "\n" not in line


def test_targets():
    t = parse_target("reg.example.com:5000/team/app:1.0")
    assert (t.repository, t.tag, t.registry) == ("reg.example.com:5000/team/app", "1.0", "reg.example.com:5000")
    assert str(parse_target("127.0.0.1:5000/app")) == "127.0.0.1:5000/app:latest"
    for bad in ("Team/App", "app@sha256:" + "a" * 64, "a b", "x" * 300):
        with pytest.raises(PushError, match="^--to .* is not an image name"):
            parse_target(bad)


@pytest.mark.parametrize("ref", ["team/app:1", "app", "app:1", "localhost:1", "team/sub/app",
                                 "imgwizard-test/pushed:x"])
def test_a_target_without_a_registry_host_is_refused_with_the_hint(ref):
    with pytest.raises(PushError) as caught:
        parse_target(ref)
    line = str(caught.value)
    assert line.startswith(f"--to {ref} names no registry, so the engine would push it to Docker Hub (docker.io/")
    assert f"--to docker.io/{ref} to push to Docker Hub" in line and "\n" not in line


@pytest.mark.parametrize("ref, registry", [
    ("docker.io/team/app:1", "docker.io"), ("index.docker.io/team/app", "docker.io"),
    ("localhost/app", "localhost"), ("localhost:5000/app:1", "localhost:5000"), ("myhost:5000/app", "myhost:5000"),
    ("reg.example.com/team/app", "reg.example.com"), ("127.0.0.1:5000/a/b/c:2", "127.0.0.1:5000"),
])
def test_a_target_with_a_registry_host_passes(ref, registry):
    assert parse_target(ref).registry == registry


def test_credentials_note_names_the_user_never_the_password(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {"reg.example.com": {"auth": "YWxpY2U6czNjcjN0"}}}))  # alice:s3cr3t
    note = credentials_note("reg.example.com", str(config))
    assert note == f"credentials for reg.example.com: alice, from {config}" and "s3cr3t" not in note
    assert credentials_note("other.example.com", str(config)).startswith(
        f"no credentials for other.example.com in {config}: pushing without")


def test_layer_lines():
    assert layer_line(Layer("180ed1bca36a1234", "Waiting")) == "180ed1bca36a Waiting"
    line = layer_line(Layer("180ed1bca36a", "Pushing", 1024 * 1024, 4 * 1024 * 1024))
    assert line == "180ed1bca36a [######------------------] 1.0 MiB / 4.0 MiB  Pushing"


def test_layer_view_off_a_terminal_prints_status_changes_only():
    out = io.StringIO()
    view, progress = LayerView(out, tty=False), PushProgress()
    for chunk in RECORDED:
        view.changed(progress, progress.update(chunk))
    view.finish()
    assert out.getvalue().splitlines() == [
        "180ed1bca36a Preparing", "bfa4d3bd88af Preparing", "bfa4d3bd88af Layer already exists",
        "180ed1bca36a [########################] 2.0 KiB / 2.0 KiB  Pushed"]


def test_check_through_tcp_is_refused_with_the_reason():
    client = SimpleNamespace(api=SimpleNamespace(base_url="https://lab.example.com:2376"))
    with pytest.raises(Unreachable, match=r"publishes the container's ports on its own 127.0.0.1.*ssh://"):
        with route_for(client):
            pass
    with route_for(SimpleNamespace(api=SimpleNamespace(base_url="http+docker://localhost"))) as reach:
        assert reach is None


# ------------------------------------------------------------------ the user's tags, against a fake engine

A, B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
PUSHED = [{"status": "Pushed", "progressDetail": {}, "id": "180ed1bca36a"},
          {"progressDetail": {}, "aux": {"Tag": "1", "Digest": "sha256:" + "c" * 64, "Size": 528}}]
REFUSED = [{"errorDetail": {"message": "unauthorized: authentication required"},
            "error": "unauthorized: authentication required"}]


class FakeEngine:
    """The engine's tag store as `docker images` shows it (ref -> image id); `push` yields `chunks`, or raises
    what they hold. Only what push_image uses."""

    def __init__(self, refs: dict[str, str], chunks=PUSHED, untagged: tuple[str, ...] = ()) -> None:
        self.refs, self.chunks, self.pushed = dict(refs), chunks, []
        self.ids = set(refs.values()) | set(untagged)
        self.images = SimpleNamespace(get=self.get, remove=self.remove)
        self.api = SimpleNamespace(tag=self.tag, push=self.push)

    def get(self, ref):
        image_id = self.refs.get(ref) or (ref if ref in self.ids else None)
        if image_id is None:
            raise docker.errors.ImageNotFound(ref)
        return SimpleNamespace(id=image_id, attrs={"RepoTags": [r for r, i in self.refs.items() if i == image_id]})

    def tag(self, image_id, repository, tag=None, force=False):
        self.refs[f"{repository}:{tag}"] = image_id

    def remove(self, ref, noprune=False):
        del self.refs[ref]

    def push(self, repository, tag=None, stream=False, decode=False):
        self.pushed.append(f"{repository}:{tag}")
        for chunk in self.chunks:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk


TARGET = "reg.example.com/team/app:1"


def test_a_tag_of_another_image_is_refused_and_nothing_is_done():
    engine = FakeEngine({"app:dev": A, TARGET: B, "other:1": B})
    with pytest.raises(TagTaken) as caught:
        push_image(engine, "app:dev", parse_target(TARGET))
    assert str(caught.value) == (f"--to {TARGET} already names image {'b' * 12} (also: other:1); imgwizard keeps "
                                 "it: push under another tag, or add --force to move it to app:dev")
    assert engine.refs == {"app:dev": A, TARGET: B, "other:1": B} and engine.pushed == []


def test_force_moves_the_tag_and_says_what_it_named():
    engine = FakeEngine({"app:dev": A, TARGET: B, "other:1": B})
    done = push_image(engine, "app:dev", parse_target(TARGET), force=True)
    assert engine.refs[TARGET] == A and done.replaced == B and done.replaced_names == ("other:1",)
    assert done.digest == "sha256:" + "c" * 64


@pytest.mark.parametrize("chunks", [REFUSED, [docker.errors.APIError("500 Server Error")], [],
                                    [{"status": "Preparing", "id": "180ed1bca36a"}]],
                         ids=["error-chunk", "api-error", "no-digest", "cut-short"])
def test_a_failed_push_removes_the_tag_it_made_and_keeps_the_rest(chunks):
    engine = FakeEngine({"app:dev": A, "other:1": B}, chunks)
    with pytest.raises(PushError) as caught:
        push_image(engine, "app:dev", parse_target(TARGET))
    assert not isinstance(caught.value, TagTaken) and "\n" not in str(caught.value)
    assert engine.pushed == [TARGET] and engine.refs == {"app:dev": A, "other:1": B}


def test_a_failed_push_keeps_a_tag_that_named_the_image_already():
    engine = FakeEngine({"app:dev": A, TARGET: A}, REFUSED)
    with pytest.raises(PushError, match="^reg.example.com refused the push"):
        push_image(engine, "app:dev", parse_target(TARGET))
    assert engine.refs == {"app:dev": A, TARGET: A}


def test_a_failed_forced_push_puts_the_tag_back_on_its_image():
    engine = FakeEngine({"app:dev": A, TARGET: B}, REFUSED)
    with pytest.raises(PushError) as caught:
        push_image(engine, "app:dev", parse_target(TARGET), force=True)
    assert str(caught.value).endswith(f"; {TARGET} names image {'b' * 12} again, as before")
    assert engine.refs == {"app:dev": A, TARGET: B}


def test_the_only_name_of_an_image_is_kept_when_the_push_fails_and_said():
    """IMAGE given by id with no tag: removing the tag the push made would delete the image (moby ImageDelete)."""
    engine = FakeEngine({}, REFUSED, untagged=(A,))
    with pytest.raises(PushError) as caught:
        push_image(engine, A, parse_target(TARGET))
    assert str(caught.value).endswith(f"; the tag {TARGET} stays: it is the only name of image {'a' * 12}, and "
                                      "removing it would delete the image")
    assert engine.refs == {TARGET: A}


def test_ctrl_c_during_the_push_removes_the_tag_it_made():
    engine = FakeEngine({"app:dev": A}, [{"status": "Preparing", "id": "180ed1bca36a"}, KeyboardInterrupt()])
    with pytest.raises(PushCancelled, match="^cancelled; the registry keeps the layers already sent"):
        push_image(engine, "app:dev", parse_target(TARGET))
    assert engine.refs == {"app:dev": A}


def test_engine_text_is_made_safe_to_show():
    hostile = "denied: \x1b]52;c;aGk=\x07 [bold]x[/bold]"
    line = explain(hostile, "reg.example.com")
    assert "\x1b" not in line and "\x07" not in line and "\\x1b]52" in line and "[bold]x[/bold]" in line  # a print
    assert "\x1b" not in explain("\x1b[2Jboom", "r") and "\x1b" not in layer_line(Layer("180ed1bca36a", "\x1b[2J"))
    engine = FakeEngine({"app:dev": A, TARGET: B, "\x1b]0;evil\x07:1": B})
    with pytest.raises(TagTaken) as caught:
        push_image(engine, "app:dev", parse_target(TARGET))
    assert "\x1b" not in str(caught.value) and "\\x1b]0;evil\\x07:1" in str(caught.value)
