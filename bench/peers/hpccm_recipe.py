"""hpccm recipe for the bench scenarios (bench/peers/choices.py): `hpccm --recipe hpccm_recipe.py --userarg
scenario=S1 --format docker`. hpccm has no Debian distro: the Ubuntu one is what Debian needs (apt)."""
# pylint: disable=undefined-variable  (hpccm runs a recipe with Stage0 and the building blocks as globals)
import os
import sys

sys.path.insert(0, os.getcwd())  # bench/run.py runs hpccm in bench/peers
from choices import ENTRY, PEERS  # noqa: E402

peer = PEERS[USERARG.get("scenario", "S1")]  # noqa: F821
Stage0 += baseimage(image="debian:bookworm-slim", _distro="ubuntu")  # noqa: F821
for src, dest in peer.early_copies:
    Stage0 += copy(src=src, dest=dest)  # noqa: F821
if peer.before:
    Stage0 += shell(commands=peer.before)  # noqa: F821
Stage0 += apt_get(ospackages=peer.packages)  # noqa: F821
Stage0 += shell(commands=peer.setup)  # noqa: F821
Stage0 += environment(variables=peer.env)  # noqa: F821
if peer.pip:
    Stage0 += shell(commands=["/opt/venv/bin/pip install --no-cache-dir " + " ".join(peer.pip)])  # noqa: F821
for src, dest in peer.copies:
    Stage0 += copy(src=src, dest=dest)  # noqa: F821
Stage0 += runscript(commands=[" ".join(ENTRY + peer.command)])  # noqa: F821
