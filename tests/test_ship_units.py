"""The pieces of remote builds and pushes that need no engine: the context upload count (wizard/engine/upload.py), the
push stream's per-layer state and its one-line reasons (wizard/engine/push.py), the CLI's layer bars, and check's
refusal to probe through tcp:// (wizard/engine/reach.py). Real engines: tests/docker/test_remote.py, test_push.py."""

from __future__ import annotations

import io
import json
import tarfile
from types import SimpleNamespace

import pytest

from screens.cli.push import LayerView, layer_line
from wizard.engine.push import Layer, PushError, PushProgress, credentials_note, explain, parse_target
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
