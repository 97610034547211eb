"""`imgwizard commit`: docker commit with no run-time secret value in the new image's config or layers.

The engine adapter (stdlib + docker); DockerOpError and the API helpers come from common.py. docs/security.md
explains the steps and the facts about the engine they rely on.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

import docker
import docker.errors

from wizard.engine.common import DockerOpError, api_message, api_of
from wizard.plan import WRAPPER, secret_names


class SecretLeft(DockerOpError):
    """The container's changes still hold a secret: nothing was committed. One problem per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Committed:
    image_id: str
    dropped: list[str]  # the secret variables whose run-time value the new image does not keep
    kept: list[str]  # the other variables set when the container started, which it keeps (as docker commit does)
    parent: str | None = None  # the untagged first commit whose local metadata still holds the container's settings


def commit(client: Any, container: str, image: str) -> Committed:
    """`docker commit CONTAINER IMAGE` with no run-time secret value in the new image's config or layers.

    The secrets are the variables a Plan passes as secrets (wizard.plan.secret_names()) that the container has a
    value for; every other variable set at run time stays, as `docker commit` keeps it. In order:
    1. imgwizard's own start-up is undone (`imgwizard-entry.sh --before-commit`: the SSH host keys it made and
       the password hash it set are held aside);
    2. with the container paused, its changes are searched for each value and /etc/shadow's password fields
       compared with the image's: anything left is refused (SecretLeft) and no image is made;
    3. the commit sets each secret variable back to the image's value, or to empty (read as unset): the engine
       merges the given Env with the container's, so a variable is only dropped by naming it;
    4. the engine also copies the container's own config, values included, into the image (`container_config`),
       so that first image stays untagged, and IMAGE is committed from a never-started container of it: IMAGE's
       config and layers hold no value; the untagged first image is IMAGE's parent (as a build step's image is)
       and is removed with IMAGE;
    5. `--after-commit` puts back what step 1 held aside, so the running container keeps working.
    """
    c, image_env = _container_and_image_env(client, container)
    _refuse_if_stopped(c, container)
    env = _env_dict(c.attrs["Config"].get("Env"))
    secrets = {name: value for name, value in env.items() if name in secret_names() and value}
    reset = [f"{name}={image_env.get(name, '')}" for name in sorted(secrets)]
    kept = {**c.attrs["Config"], "Env": [f"{k}={v}" for k, v in env.items() if k not in secrets]}
    if problems := _settings_leaks(kept, secrets):
        raise SecretLeft(problems)
    repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    try:
        new = first = _commit_checked(client, c, secrets, reset, None if secrets else (repo, tag))
        if secrets:
            new = _recommit(client, first, repo, tag)
        problems = _settings_leaks(api_of(client).inspect_image(new), secrets)
    except docker.errors.APIError as exc:
        raise DockerOpError(f"docker commit failed: {api_message(exc)}") from None
    if problems:
        _drop_image(api_of(client), new)
        raise SecretLeft(problems)
    kept = sorted(k for k, v in env.items() if k not in secrets and image_env.get(k) != v)
    return Committed(new, sorted(secrets), kept, first if secrets else None)


def _container_and_image_env(client: Any, container: str) -> tuple[Any, dict[str, str]]:
    """The container, and the environment of the image it was started from."""
    try:
        c = client.containers.get(container)
    except docker.errors.NotFound:
        raise DockerOpError(f"no container {container} (docker ps -a lists them)") from None
    except docker.errors.APIError as exc:
        raise DockerOpError(f"cannot read container {container}: {api_message(exc)}") from None
    try:
        image_config = client.images.get(c.attrs["Image"]).attrs["Config"] or {}
    except docker.errors.APIError as exc:
        raise DockerOpError(f"cannot read the image of {container}: {api_message(exc)}") from None
    return c, _env_dict(image_config.get("Env"))


def _refuse_if_stopped(c: Any, container: str) -> None:
    """A container of an image with imgwizard's entry wrapper is committed while it runs: the wrapper must first
    undo what its start-up made (SSH host keys, a password hash), which takes an exec."""
    if c.status != "running" and WRAPPER in (c.attrs["Config"].get("Entrypoint") or []):
        how = f"docker unpause {container}" if c.status == "paused" else f"docker start {container}"
        raise DockerOpError(f"{container} is {c.status}: imgwizard commits its containers while they run, so its "
                            f"entry script can first undo what its start-up made (SSH host keys, a password "
                            f"hash): {how}, then commit again")


def _env_dict(env: list[str] | None) -> dict[str, str]:
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in env or [])


def _commit_checked(client: Any, c: Any, secrets: Mapping[str, str], reset: list[str],
                    name: tuple[str, str] | None) -> str:
    """Undo the start-up's secrets, pause, prove none is left, commit (tagged with `name`), unpause, redo."""
    running = c.status == "running"
    hooks = running and _has_commit_hooks(c)
    try:
        if hooks:
            _hook(c, "--before-commit")
        if running:
            c.pause()
        try:
            problems = _file_leaks(client, c, secrets, c.attrs["Image"])
            if problems:
                raise SecretLeft(problems)
            repo, tag = name or (None, None)
            return api_of(client).commit(c.id, repository=repo, tag=tag or None,
                                       conf={"Env": reset} if reset else None)["Id"]
        finally:
            if running:
                c.unpause()
    finally:
        if hooks:
            _hook(c, "--after-commit")


def _has_commit_hooks(c: Any) -> bool:
    """Whether c starts through imgwizard's entry wrapper, in a version that has the commit hooks."""
    if WRAPPER not in (c.attrs["Config"].get("Entrypoint") or []):
        return False
    code, _ = c.exec_run(["grep", "-q", "-e", "--before-commit", WRAPPER], user="0")
    return code == 0


THAW_TRIES, THAW_WAIT = 20, 0.1  # an exec right after unpause can meet runc still thawing the container


def _hook(c: Any, stage: str) -> None:
    for _ in range(THAW_TRIES):
        code, out = c.exec_run(["/bin/sh", WRAPPER, stage], user="0")
        # runc refuses an exec while the freezer is still thawing ("cannot exec in a stopped state", exit 126):
        # seen about once in three runs of tests/docker/test_commit_secrets.py right after unpause
        if not (code == 126 and b"cannot exec in a stopped state" in out):
            break
        time.sleep(THAW_WAIT)
    if code != 0:
        text = out.decode("utf-8", "replace").strip().splitlines()
        raise DockerOpError(f"{WRAPPER} {stage} failed (exit {code}){': ' + text[-1][:200] if text else ''}")


def _recommit(client: Any, first: str, repo: str, tag: str) -> str:
    """IMAGE from a never-started container of `first`: its container_config is that container's clean config.
    `first` stays as IMAGE's untagged parent (like a build step's image) and goes when IMAGE is removed."""
    api = api_of(client)
    try:
        helper = api.create_container(first)["Id"]
        try:
            return api.commit(helper, repository=repo, tag=tag or None)["Id"]
        finally:
            api.remove_container(helper, force=True)
    except docker.errors.APIError:
        _drop_image(api, first)
        raise


def _drop_image(api: Any, image_id: str) -> None:
    try:
        api.remove_image(image_id, force=True)
    except docker.errors.APIError:
        pass


def _settings_leaks(settings: Mapping[str, Any], secrets: Mapping[str, str]) -> list[str]:
    """The secrets whose value is anywhere in `settings` (a container's config, or an image's inspect data)."""
    text = json.dumps(settings)
    return [f"the value of {name} is in the container's settings (another variable, its command or a label), "
            f"which a commit keeps: start a container without it there, then commit that one"
            for name, value in sorted(secrets.items()) if json.dumps(value)[1:-1] in text]


# What a secret check reads: the added or changed files of the container (docker diff kinds 0 and 1).
_SHADOW_FILES = ("/etc/shadow", "/etc/shadow-")
_NO_HASH = ("", "*", "x")


def _file_leaks(client: Any, c: Any, secrets: Mapping[str, str], image_id: str) -> list[str]:
    """One line per secret value found in the container's changes, and per password hash in /etc/shadow that
    the image does not have (a hash set after start cannot be found by value)."""
    found: dict[str, list[str]] = {}
    hashes: list[str] = []
    image_fields: dict[str, set[str]] | None = None
    for path, content in _changed_files(client, c, {n: v.encode() for n, v in secrets.items()}, found):
        if path in _SHADOW_FILES:
            if image_fields is None:
                image_fields = _image_shadow_fields(client, image_id)
            hashes += [f"{path} holds a password hash for {user} that the image does not have: put the image's "
                       f"back (e.g. `usermod -p '*' {user} && cp -p /etc/shadow /etc/shadow-` in the container), "
                       f"then commit again"
                       for user in _new_hashes(content, image_fields)]
    problems = []
    for name, paths in sorted(found.items()):
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        problems.append(f"the value of {name} is in {shown}: remove it from there, then commit again")
    return problems + hashes


def _changed_files(client: Any, c: Any, needles: Mapping[str, bytes],
                   found: dict[str, list[str]]) -> Iterator[tuple[str, bytes]]:
    """Read every added or changed file of `c` (streamed), noting in `found` which file holds which needle;
    yields (path, content) of the shadow files. Without needles, only the shadow files are read."""
    changes = c.diff() or []
    roots = _archive_roots(changes) if needles else [ch["Path"] for ch in changes if ch["Path"] in _SHADOW_FILES
                                                     and ch["Kind"] in (0, 1)]
    for root in roots:
        try:
            chunks, _ = c.get_archive(root, chunk_size=1 << 20)
        except docker.errors.NotFound:
            continue
        parent = root.rsplit("/", 1)[0]
        with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(chunks), 1 << 20), mode="r|") as tar:
            for member in tar:
                path = f"{parent}/{member.name}".replace("//", "/")
                names = _needles_in(member.name.encode() + b"\0" + member.linkname.encode(), needles)
                if member.isfile():
                    f = tar.extractfile(member)
                    if path in _SHADOW_FILES:
                        content = f.read(1 << 20)
                        names |= _needles_in(content, needles)
                        yield path, content
                    else:
                        names |= _scan(f, needles)
                for name in names:
                    found.setdefault(name, []).append(path)


def _archive_roots(changes: list[Mapping[str, Any]]) -> list[str]:
    """The fewest paths whose archives hold every added or changed file: an added folder whole, else each leaf
    (a changed folder is listed with its changed entries)."""
    kept = {ch["Path"]: ch["Kind"] for ch in changes if ch["Kind"] in (0, 1)}
    ancestors = {a for path in kept for a in _ancestors(path)}
    roots = []
    for path, kind in sorted(kept.items()):
        if any(kept.get(a) == 1 for a in _ancestors(path)):
            continue  # inside an added folder, which is read whole
        if kind == 1 or path not in ancestors:
            roots.append(path)
    return roots


def _ancestors(path: str) -> Iterator[str]:
    while "/" in path.rstrip("/")[1:]:
        path = path.rsplit("/", 1)[0]
        yield path


class _ChunkReader(io.RawIOBase):
    """A file over docker-py's archive chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            self._buf = next(self._chunks, b"")
            if not self._buf:
                return 0
        n = min(len(b), len(self._buf))
        b[:n], self._buf = self._buf[:n], self._buf[n:]
        return n


def _needles_in(data: bytes, needles: Mapping[str, bytes]) -> set[str]:
    return {name for name, value in needles.items() if value in data}


def _scan(f: Any, needles: Mapping[str, bytes]) -> set[str]:
    """The needles in a stream, read 1 MiB at a time with an overlap, so a value across two reads is found."""
    if not needles:
        return set()
    overlap = max(len(v) for v in needles.values()) - 1
    found: set[str] = set()
    tail = b""
    while chunk := f.read(1 << 20):
        window = tail + chunk
        found |= _needles_in(window, needles)
        tail = window[len(window) - overlap:] if overlap else b""
    return found


def _image_shadow_fields(client: Any, image_id: str) -> dict[str, set[str]]:
    """user -> the password fields the image's /etc/shadow and /etc/shadow- have (from a never-started container)."""
    api = api_of(client)
    helper = api.create_container(image_id, entrypoint=["/imgwizard-never-started"], network_disabled=True)["Id"]
    fields: dict[str, set[str]] = {}
    try:
        for path in _SHADOW_FILES:
            try:
                chunks, _ = api.get_archive(helper, path)
            except docker.errors.NotFound:
                continue
            with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
                member = tar.next()
                f = tar.extractfile(member) if member is not None and member.isfile() else None
                for user, field in _shadow_fields(f.read(1 << 20) if f else b""):
                    fields.setdefault(user, set()).add(field)
    finally:
        api.remove_container(helper, force=True)
    return fields


def _shadow_fields(content: bytes) -> Iterator[tuple[str, str]]:
    for line in content.decode("utf-8", "replace").splitlines():
        parts = line.split(":")
        if len(parts) > 1:
            yield parts[0], parts[1]


def _new_hashes(content: bytes, image_fields: Mapping[str, set[str]]) -> list[str]:
    """The users whose password field holds a hash (locked or not) that the image does not have."""
    return [user for user, field in _shadow_fields(content)
            if field.lstrip("!") not in _NO_HASH and field not in image_fields.get(user, set())]


