"""`imgwizard commit`: docker commit with no run-time secret value in the new image's config or layers.

The engine adapter (stdlib + docker); DockerOpError and the API helpers come from common.py. docs/security.md
explains the steps and the facts about the engine they rely on.

An interrupted commit (Ctrl-C, SIGTERM, SIGHUP: the CLI's signal handlers call `interrupt`) leaves the container
as it was: the steps that put it back (unpause, the entry script's put-back) and the engine calls whose result must
be known (a commit's image id, to remove it) run shielded, the interrupt taking effect when they are done. The
entry script's holder (`imgwizard-entry.sh --commit-hold`) puts the container's state back by itself when this
process or its connection to the engine goes away (docs/security.md).

commit_hold.py holds the interrupts and the entry script's holder, commit_files.py reads the changed files and
the account files, commit_scan.py searches them for each secret in its common encodings and compressed data.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import docker
import docker.errors

from wizard.engine.commit_files import file_leaks
from wizard.engine.commit_hold import (
    ENGINE_ERRORS,
    held,
    hooks_of,
    raise_deferred,
    reached,
    shielded,
)
from wizard.engine.common import DockerOpError, api_message, api_of, outside_line
from wizard.plan_start import WRAPPER, secret_names


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
    hand_set: list[str] = field(default_factory=list)  # accounts whose password, set by hand, the image does not keep
    unsearched: list[str] = field(default_factory=list)  # "path (why)": files whose content could not be searched
    short: list[str] = field(default_factory=list)  # secrets too short to be searched for in every base64 alignment


def commit(client: Any, container: str, image: str) -> Committed:
    """`docker commit CONTAINER IMAGE` with no run-time secret value in the new image's config or layers.

    The secrets are the variables a Plan passes as secrets (wizard.plan_start.secret_names()) that the container has a
    value for; every other variable set at run time stays, as `docker commit` keeps it. In order:
    1. imgwizard's own start-up is undone (`imgwizard-entry.sh --commit-hold`: it takes the container's commit
       lock, holds the SSH host keys it made and the password hash it set aside, and puts them back when this
       commit ends, however it ends);
    2. with the container paused, its changes are searched for each value (as written, base64, hex, URL-encoded,
       and inside gzip, zlib, zip, bzip2 and xz data) and the account files' password fields (/etc/shadow,
       gshadow, passwd, group and their `-` copies, whole) compared with the image's: anything left is refused
       (SecretLeft) and no image is made;
    3. the commit sets each secret variable back to the image's value, or to empty (read as unset): the engine
       merges the given Env with the container's, so a variable is only dropped by naming it;
    4. the engine also copies the container's own config, values included, into the image (`container_config`),
       so that first image stays untagged, and IMAGE is committed from a never-started container of it: IMAGE's
       config and layers hold no value; the untagged first image is IMAGE's parent (as a build step's image is)
       and is removed with IMAGE;
    5. the container is unpaused and its held state put back, so it keeps working; IMAGE is tagged last, so an
       interrupted or failed commit leaves no image and moves no tag.
    """
    global _deferred
    _deferred = None  # an interrupt that came after an earlier commit of this process was done
    c, image_env = _container_and_image_env(client, container)
    _refuse_if_stopped(c, container)
    env = _env_dict(c.attrs["Config"].get("Env"))
    secrets = {name: value for name, value in env.items() if name in secret_names() and value}
    reset = [f"{name}={image_env.get(name, '')}" for name in sorted(secrets)]
    kept = {**c.attrs["Config"], "Env": [f"{k}={v}" for k, v in env.items() if k not in secrets]}
    if problems := _settings_leaks(kept, secrets):
        raise SecretLeft(problems)
    repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    api = api_of(client)
    made: list[str] = []
    report = Committed("", sorted(secrets), [])
    done = False
    try:
        first = _commit_checked(client, c, container, secrets, reset, made, report)
        new = _recommit(api, first, made) if secrets else first
        reached("recommitted")
        if problems := _settings_leaks(api.inspect_image(new), secrets):
            raise SecretLeft(problems)
        with shielded(final=True):  # the point of no return: once tagged, the commit is done
            raise_deferred()
            api.tag(new, repo, tag or None)
            done = True
    except BaseException as exc:
        failure = exc
        if isinstance(exc, ENGINE_ERRORS):
            failure = DockerOpError(f"docker commit failed: {_engine_text(exc)}")
        if not done:
            with shielded():
                left = [image_id for image_id in reversed(made) if not _drop_image(api, image_id)]
            if left:  # the engine is gone: the first image, untagged, holds the container's settings
                failure = DockerOpError(f"{failure if isinstance(failure, DockerOpError) else 'stopped'}; the untagged "
                                        f"image {left[-1][:19]} this commit made holds {container}'s settings, secret "
                                        f"values included: docker rmi {left[-1][:19]} once the engine answers")
        if failure is exc:
            raise
        raise failure from None
    report.image_id = new
    report.kept = sorted(k for k, v in env.items() if k not in secrets and image_env.get(k) != v)
    report.parent = first if secrets else None
    return report


def _engine_text(exc: BaseException) -> str:
    if isinstance(exc, docker.errors.APIError):
        return api_message(exc)
    return outside_line(exc, 300) or type(exc).__name__


def _container_and_image_env(client: Any, container: str) -> tuple[Any, dict[str, str]]:
    """The container, and the environment of the image it was started from."""
    try:
        c = client.containers.get(container)
    except docker.errors.NotFound:
        raise DockerOpError(f"no container {container} (docker ps -a lists them)") from None
    except ENGINE_ERRORS as exc:
        raise DockerOpError(f"cannot read container {container}: {_engine_text(exc)}") from None
    try:
        image_config = client.images.get(c.attrs["Image"]).attrs["Config"] or {}
    except ENGINE_ERRORS as exc:
        raise DockerOpError(f"cannot read the image of {container}: {_engine_text(exc)}") from None
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


class _Cleanup:
    """What could not be put back, said in one line once every step was tried."""

    def __init__(self, container: str, holds: bool):
        self.container, self.holds, self.errors = container, holds, []

    def run(self, step: Any, *args: Any) -> None:
        try:
            step(*args)
        except (DockerOpError, *ENGINE_ERRORS) as exc:
            self.errors.append(exc)

    def raise_if_failed(self) -> None:
        if not self.errors:
            return
        exc = self.errors[0]
        held = (" with its SSH host keys and password held aside in /dev; its entry script puts them back by "
                "itself as soon as it runs again" if self.holds else "")
        if isinstance(exc, DockerOpError):
            raise DockerOpError(f"{exc}; {self.container} may be left paused{held}: docker unpause "
                                f"{self.container} if `docker ps` says Paused") from None
        raise DockerOpError(f"lost the Docker engine during the commit ({_engine_text(exc)}): {self.container} may "
                            f"be left paused{held}: once the engine answers, docker unpause {self.container} if "
                            f"`docker ps` says Paused") from None


def _commit_checked(client: Any, c: Any, container: str, secrets: Mapping[str, str], reset: list[str],
                    made: list[str], report: Committed) -> str:
    """Hold the start-up's secrets aside, pause, prove none is left, commit, unpause, put them back."""
    api = api_of(client)
    running = c.status == "running"
    mode = hooks_of(c) if running else None
    cleanup = _Cleanup(container, mode is not None)
    with held(api, c, container, mode, cleanup, report):
        reached("held")
        with _paused(c, running, cleanup):
            reached("paused")
            problems = file_leaks(client, c, secrets, c.attrs["Image"], report)
            if problems:
                raise SecretLeft(problems)
            with shielded():  # the image's id must be known, to remove it if the commit goes no further
                made.append(api.commit(c.id, conf={"Env": reset} if reset else None)["Id"])
            reached("committed")
    return made[-1]


@contextlib.contextmanager
def _paused(c: Any, running: bool, cleanup: _Cleanup) -> Iterator[None]:
    if not running:
        yield
        return
    try:
        _pause(c)
        yield
    finally:
        with shielded():
            cleanup.run(_unpause, c)


FREEZE_TRIES = 5


def _pause(c: Any) -> None:
    for tries in range(1, FREEZE_TRIES + 1):
        try:
            c.pause()
            return
        except docker.errors.APIError as exc:
            # runc's cgroup freezer gives up while a process of the container is being created or ends (an exec
            # or an SSH session that just closed, on a busy machine): seen in tests/docker/test_commit_signals.py
            if "unable to freeze" not in str(exc) or tries == FREEZE_TRIES:
                raise
        time.sleep(0.2 * tries)


def _unpause(c: Any) -> None:
    try:
        c.unpause()
    except docker.errors.APIError as exc:
        if "not paused" not in str(exc):  # a pause that did not happen (interrupted before the engine got it)
            raise




def _recommit(api: Any, first: str, made: list[str]) -> str:
    """IMAGE from a never-started container of `first`: its container_config is that container's clean config.
    `first` stays as IMAGE's untagged parent (like a build step's image) and goes when IMAGE is removed."""
    with shielded():  # the helper container is removed, the new image's id known
        helper = api.create_container(first)["Id"]
        try:
            made.append(api.commit(helper)["Id"])
        finally:
            api.remove_container(helper, force=True)
    return made[-1]


def _drop_image(api: Any, image_id: str) -> bool:
    try:
        api.remove_image(image_id, force=True)
    except docker.errors.NotFound:
        pass
    except ENGINE_ERRORS:
        return False
    return True


def _settings_leaks(settings: Mapping[str, Any], secrets: Mapping[str, str]) -> list[str]:
    """The secrets whose value is anywhere in `settings` (a container's config, or an image's inspect data)."""
    text = json.dumps(settings)
    return [f"the value of {name} is in the container's settings (another variable, its command or a label), "
            f"which a commit keeps: start a container without it there, then commit that one"
            for name, value in sorted(secrets.items()) if json.dumps(value)[1:-1] in text]
