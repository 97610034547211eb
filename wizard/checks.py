"""Small pure checks of single values. Each returns None when the value is fine, else what is accepted."""

from __future__ import annotations

import re
from pathlib import Path

_IMAGE = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_APT = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_PIP = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?"
    r"(?:(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+(?:,(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+)*)?$"
)
_TZ = re.compile(r"^(?:UTC|[A-Z][A-Za-z_-]+(?:/[A-Z0-9][A-Za-z0-9_+-]*){1,2})$")
_DRIVER = re.compile(r"^\d{3}\.\d{1,3}(?:\.\d{1,3})?$")
_DEVICES = re.compile(r"^(?:all|\d+(?:,\d+)*)$")
_PYTHON = re.compile(r"^3\.(?:[89]|1[0-4])$")
_TORCH = re.compile(r"^\d+\.\d+(?:\.\d+)?$")
_KEY = re.compile(r"^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+(?: [^\n]*)?$")
_FILENAME = re.compile(r"^[A-Za-z0-9._+-]+$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~/%-]*)?$")
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]*$")


def image_name(v: str) -> str | None:
    return None if _IMAGE.match(v) and len(v) <= 255 else \
        "lower-case letters, digits and . _ - separators, path parts split by / (e.g. my-app or team/pycharm)"


def image_tag(v: str) -> str | None:
    return None if _TAG.match(v) else "1-128 characters of letters, digits, _ . - not starting with . or - (e.g. latest, 1.0)"


def apt_package(v: str) -> str | None:
    return None if _APT.match(v) else "a package name: lower-case letters, digits and + . - (e.g. htop, libgl1)"


def pip_package(v: str) -> str | None:
    return None if _PIP.match(v) else "a pip requirement: name[extras] with optional version (e.g. ray==2.9.0, ray[client]>=2.9)"


def timezone(v: str) -> str | None:
    return None if _TZ.match(v) else "an IANA time zone like Asia/Shanghai or UTC"


def driver_version(v: str) -> str | None:
    return None if _DRIVER.match(v) else "an NVIDIA driver version like 550.135 or 535.171.04 (empty: no driver in the image)"


def devices(v: str) -> str | None:
    return None if _DEVICES.match(v) else "all, or device numbers separated by commas (e.g. 0 or 0,1)"


def python_version(v: str) -> str | None:
    return None if _PYTHON.match(v) else "a Python version from 3.8 to 3.14 (e.g. 3.11)"


def torch_version(v: str) -> str | None:
    return None if v == "" or _TORCH.match(v) else "a torch version like 2.4.0 (empty: no PyTorch)"


def absolute_path(v: str) -> str | None:
    return None if _SAFE_PATH.match(v) and "/../" not in v + "/" else \
        "an absolute path of letters, digits and . _ - / (e.g. /root or /home/ubuntu)"


def file_name(v: str) -> str | None:
    return None if _FILENAME.match(v) and v not in (".", "..") else \
        "a file name in the build folder: letters, digits and . _ + - (no folders)"


def mirror(v: str, named: tuple[str, ...]) -> str | None:
    return None if v in named or _URL.match(v) else \
        f"one of {', '.join(named)}, or an http(s) URL such as http://mirrors.example.com"


def public_key_text(v: str) -> str | None:
    return None if _KEY.match(v.strip()) else \
        "an OpenSSH public key line (ssh-ed25519 AAAA... comment) or the path of a .pub file"


def read_public_key(v: str, base: Path) -> tuple[str | None, str | None]:
    """(key text, None) from key text or a file path; (None, what is accepted) when neither."""
    text = v.strip()
    if public_key_text(text) is None:
        return text, None
    path = (base / Path(text).expanduser())
    if text and path.is_file():
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
        if lines and all(public_key_text(ln) is None for ln in lines):
            return "\n".join(lines), None
        return None, f"{text} does not hold OpenSSH public keys (one per line)"
    return None, public_key_text(text)


def pem_file(v: str, base: Path) -> str | None:
    path = base / Path(v).expanduser()
    if not path.is_file():
        return f"{v} is not a file; accepted: the path of a PEM CA certificate (-----BEGIN CERTIFICATE-----)"
    if "-----BEGIN CERTIFICATE-----" not in path.read_text(errors="replace"):
        return f"{v} holds no PEM certificate; accepted: a file with -----BEGIN CERTIFICATE-----"
    return None


_REF = re.compile(r"^(?:[A-Za-z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                  r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


def image_ref(v: str) -> str | None:
    return None if _REF.match(v) else \
        "an image reference like registry.example.com/debian:bookworm-slim (empty: the wizard's choice)"
