"""neurodocker's command line for the bench scenarios (bench/peers/choices.py), in the order the choices list
them: `python neurodocker_args.py S1` prints it; bench/run.py runs `neurodocker generate docker` with it."""

from __future__ import annotations

import shlex
import sys

from choices import ENTRY, PEERS, VENV


def argv(scenario: str) -> list[str]:
    peer = PEERS[scenario]
    args = ["--pkg-manager", "apt", "--base-image", "debian:bookworm-slim", "--yes"]
    for src, dest in peer.early_copies:
        args += ["--copy", src, dest]
    for command in peer.before:
        args += ["--run", command]
    args += ["--install", *peer.packages]
    args += ["--run", " && ".join(peer.setup)]
    args += [arg for name, value in peer.env.items() for arg in ("--env", f"{name}={value}")]
    if peer.pip:
        args += ["--run", f"{VENV}/bin/pip install --no-cache-dir " + " ".join(peer.pip)]
    for src, dest in peer.copies:
        args += ["--copy", src, dest]
    args += ["--entrypoint", " ".join(ENTRY + peer.command)]
    return args


if __name__ == "__main__":
    print(shlex.join(["neurodocker", "generate", "docker", *argv(sys.argv[1] if len(sys.argv) > 1 else "S1")]))
