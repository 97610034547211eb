"""Small pure checks of single values. Each returns None when the value is fine, else what is accepted.

Every pattern matches the WHOLE string (`re.fullmatch`) with ASCII classes only: Python's `$` also matches
before a final newline and `\\d` takes any Unicode digit, and either would let a value that breaks a
Dockerfile or a shell script through (a trailing newline in a package name started a new RUN line).
"""

from __future__ import annotations

import base64
import binascii
import difflib
import functools
import re
import ssl
import struct
import zoneinfo
from pathlib import Path

from wizard import safeio
from wizard.text import Msg, replaced

_NAME_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(rf"{_NAME_PART}(?:/{_NAME_PART})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_APT = re.compile(r"[a-z0-9][a-z0-9+.-]+")
_PIP = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?"
    r"(?:(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+(?:,(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+)*)?"
)
_TZ = re.compile(r"UTC|[A-Z][A-Za-z_-]+(?:/[A-Z0-9][A-Za-z0-9_+-]*){1,2}")
_DRIVER = re.compile(r"[0-9]{3}\.[0-9]{1,3}(?:\.[0-9]{1,3})?")
# device numbers as the host names them (/dev/davinci0, nvidia-smi index 0): no leading zero, so 007 never
# becomes /dev/davinci007
_DEVICE = r"(?:0|[1-9][0-9]{0,2})"
_DEVICES = re.compile(rf"all|{_DEVICE}(?:,{_DEVICE})*")
_PYTHON = re.compile(r"3\.(?:[89]|1[0-4])")
_TORCH = re.compile(r"[0-9]+\.[0-9]+(?:\.[0-9]+)?")
_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
              "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
# type, base64 blob, optional comment of printable characters (no control characters, no line separators)
_KEY = re.compile(r"(\S+) ([A-Za-z0-9+/]+={0,2})(?: [^\x00-\x1f\x7f-\x9f\u2028\u2029]*)?")
_FILENAME = re.compile(r"[A-Za-z0-9._+-]+")
_RELATIVE = re.compile(r"[A-Za-z0-9._+-]+(?:/[A-Za-z0-9._+-]+)*")  # file-name parts joined by single /
# a DNS host name: labels of letters, digits and -, not starting or ending with - (RFC 1123 2.1), at most 63
# characters each, joined by single dots; the port, when given, a number 1-65535 without a leading zero
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_URL = re.compile(rf"https?://(?=[^:/]{{1,253}}(?:[:/]|$)){_LABEL}(?:\.{_LABEL})*(?::{_PORT})?(?:/[A-Za-z0-9._~/%-]*)?")
_SAFE_PATH = re.compile(r"/[A-Za-z0-9._/-]*")
# a command line of plain words: every character is one the shell takes literally (shlex's safe set)
_COMMAND = re.compile(r"[A-Za-z0-9@%+=:,./_-]+(?: [A-Za-z0-9@%+=:,./_-]+)*")
# An image reference as docker reads it: [host[:port]/]path[:tag][@sha256:digest]; the first part is a registry
# host only when it has a dot or a port or is localhost.
_HOST = r"(?:(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::[0-9]{1,5})?|[A-Za-z0-9-]+:[0-9]{1,5})"
REFERENCE = re.compile(rf"(?:{_HOST}/)?{_NAME_PART}(?:/{_NAME_PART})*"
                       r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?")
# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

class FileAnswerError(ValueError):
    """The CA bundle an answer names cannot be used when rendering (not valid yet in the wizard, or changed
    since validation); the message is one line naming the key."""


SHOWN = 40  # characters of a value quoted in a message


def shown(value: object) -> str:
    """`value` quoted for a one-line message: repr (control characters escaped), long ones cut to the first
    40 characters plus their length, so a 10 KB answer does not flood the terminal."""
    if isinstance(value, str) and len(value) > SHOWN:
        return Msg("shown.cut", start=repr(value[:SHOWN]), count=len(value))
    try:
        text = repr(value)
    except RecursionError:
        return Msg("shown.deep")
    return text if len(text) <= SHOWN + 2 else Msg("shown.cut", start=text[:SHOWN], count=len(text))


def control_character(v: str) -> str | None:
    """None when `v` has no control character or line separator, else what was found and where."""
    found = _CONTROL.search(v)
    if found is None:
        return None
    return Msg("control", code=f"{ord(found.group()):04X}", position=found.start() + 1)


def image_name(v: str) -> str | None:
    """A repository name that is also a container name: run.sh runs `docker run --name <image.name with / as ->`,
    and Docker refuses a container name that is not `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (moby daemon/names/names.go,
    RestrictedNameChars + `+`): at least 2 characters. A name part of _IMAGE never holds another character."""
    return None if _IMAGE.fullmatch(v) and 2 <= len(v) <= 255 else Msg("accepted.image_name")


def image_tag(v: str) -> str | None:
    return None if _TAG.fullmatch(v) else Msg("accepted.image_tag")


def apt_package(v: str) -> str | None:
    return None if _APT.fullmatch(v) else Msg("accepted.apt")


def pip_package(v: str) -> str | None:
    return None if _PIP.fullmatch(v) else Msg("accepted.pip")


@functools.cache
def _zones() -> frozenset[str]:
    """The IANA zone names this machine knows (its zoneinfo or the tzdata package); empty when it has none."""
    return frozenset(zoneinfo.available_timezones())


def timezone(v: str) -> str | None:
    if _TZ.fullmatch(v) and (v in _zones() or not _zones()):
        return None
    near = zones_near(v)
    return Msg("accepted.timezone_near", near=" or ".join(near)) if near else Msg("accepted.timezone")


def zones_near(v: str, most: int = 3) -> list[str]:
    """The zone names closest to `v` (difflib's ratio, case ignored; a name differing only in case first), of
    the names the check accepts; none for a value longer than any zone name could be."""
    if not v or len(v) > 64:
        return []
    names = {name.lower(): name for name in _zones() if _TZ.fullmatch(name)}
    same = names.get(v.lower())
    near = difflib.get_close_matches(v.lower(), list(names), n=most, cutoff=0.6)
    return list(dict.fromkeys(([same] if same else []) + [names[n] for n in near]))[:most]


def driver_version(v: str) -> str | None:
    return None if _DRIVER.fullmatch(v) else Msg("accepted.driver")


def host_driver_version(v: str) -> str | None:
    """gpu.host_driver: the same form as driver_version, said as the host's (empty is its own choice there)."""
    return None if _DRIVER.fullmatch(v) else Msg("accepted.host_driver")


def devices(v: str) -> str | None:
    if _DEVICES.fullmatch(v):
        return None
    return Msg("accepted.devices_zero" if re.fullmatch(r"[0-9]+(?:,[0-9]+)*", v) else "accepted.devices")


def python_version(v: str) -> str | None:
    return None if _PYTHON.fullmatch(v) else Msg("accepted.python")


def torch_version(v: str) -> str | None:
    return None if v == "" or _TORCH.fullmatch(v) else Msg("accepted.torch_version")


def absolute_path(v: str) -> str | None:
    return None if _SAFE_PATH.fullmatch(v) and "/../" not in v + "/" else Msg("accepted.absolute_path")


def file_name(v: str) -> str | None:
    return None if _FILENAME.fullmatch(v) and v not in (".", "..") else Msg("accepted.file_name")


def relative_path(v: str) -> str | None:
    """None for a path that stays inside the folder it is relative to, by its text alone (links: safeio.leaves).
    A leading `-` is refused: `COPY --help /usr/local/bin/--help` reads the path as an option."""
    inside = _RELATIVE.fullmatch(v) and not {".", ".."} & set(v.split("/")) and len(v) <= 255
    return None if inside and not v.startswith("-") else Msg("accepted.binary_path")


def app_file(v: str) -> str | None:
    """An app.files entry: a file or folder inside the build folder, by its text alone (relative_path's rule),
    that may also end the Dockerfile's COPY line's name in /opt/<image name>/ (the same characters)."""
    return None if relative_path(v) is None else Msg("accepted.app_file")


# The files imgwizard writes at the top of a build folder: wizard/render.py's Dockerfile, SUPPORT files,
# authorized_keys, extra-ca.crt, .dockerignore, run.sh, compose.yaml, README.md, imgwizard.toml, and the build's
# build.log (screens/cli/build.py). tests/test_validation_limits.py checks this list against render.SUPPORT.
GENERATED_FILES = ("Dockerfile", ".dockerignore", "run.sh", "compose.yaml", "README.md", "imgwizard.toml",
                   "build.log", "authorized_keys", "extra-ca.crt", "imgwizard-entry.sh", "sshd_config",
                   "startapp.sh", "autostart", "custom_startup.sh", "imgwizard-desktop.sh",
                   "novnc-index.html", "novnc-status.js", "novnc-ime.js", "idea.properties", "jupyter_server_config.py",
                   "start-jupyter.sh", "start-code-server.sh", "condarc")
_GENERATED = {name.lower(): name for name in GENERATED_FILES}


def generated_name(path: str) -> str | None:
    """The file imgwizard writes that a user file at `path` (relative to the build folder) would collide with:
    its first part, compared without case (Docker Desktop's folders on macOS and Windows ignore case), else None.
    Writing the context would move the user's file to NAME.bak and COPY imgwizard's own file instead."""
    return _GENERATED.get(path.split("/", 1)[0].lower())


# POSIX sh's reserved words that the allowed characters can spell: as the first word of a command line, the
# scripts that start the app (autostart, startapp.sh) stop with a syntax error ("else" unexpected)
SHELL_WORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in"})


def command_line(v: str) -> str | None:
    if not _COMMAND.fullmatch(v):
        return Msg("accepted.command")
    first = v.split(" ", 1)[0]
    return Msg("accepted.command_word") if first in SHELL_WORDS else None


def mirror(v: str, named: tuple[str, ...]) -> str | None:
    if v in named or _URL.fullmatch(v):
        return None
    url = v.startswith(("http://", "https://"))  # a URL: say what its host and port may be
    return Msg("accepted.mirror_url" if url else "accepted.mirror", named=", ".join(named))


def index_url(v: str) -> str | None:
    return None if v == "" or _URL.fullmatch(v) else \
        "empty (https://download.pytorch.org/whl), or an http(s) URL such as https://mirror.example.com/pytorch/whl"


def image_ref(v: str) -> str | None:
    return None if REFERENCE.fullmatch(v) else Msg("accepted.image_ref")


# ------------------------------------------------------------------ SSH public keys

_KEY_ACCEPTED = Msg("sshkey.accepted")


def _ssh_strings(data: bytes) -> list[bytes] | None:
    """The SSH wire-format strings (uint32 length + bytes) a key blob is made of, or None when it is not
    exactly a sequence of them."""
    out: list[bytes] = []
    while data:
        if len(data) < 4:
            return None
        (length,) = struct.unpack(">I", data[:4])
        if len(data) < 4 + length:
            return None
        out.append(data[4:4 + length])
        data = data[4 + length:]
    return out


# How many strings follow the type in each key kind's blob (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4,
# OpenSSH PROTOCOL.u2f), and the public key's size where it is fixed.
_KEY_PARTS = {"ssh-ed25519": 1, "ssh-rsa": 2, "ssh-dss": 4, "sk-ssh-ed25519@openssh.com": 2,
              "sk-ecdsa-sha2-nistp256@openssh.com": 3}
_ED25519_SIZE = 32


def _key_blob_type(blob: str) -> str | None:
    """The key type named inside an OpenSSH public key's base64 blob when the blob is a well-formed key of
    that type (as sshd reads it: padded base64, the parts the type has), else None."""
    try:
        data = base64.b64decode(blob, validate=True)
    except binascii.Error:
        return None
    parts = _ssh_strings(data)
    if not parts or not parts[0]:
        return None
    name = parts[0].decode("ascii", "replace")
    expected = _KEY_PARTS.get(name, 2)  # ecdsa-sha2-*: curve name and point
    if len(parts) != 1 + expected or not all(parts[1:]):
        return None
    if name in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com") and len(parts[1]) != _ED25519_SIZE:
        return None
    return name


def public_key_text(v: str) -> str | None:
    """None for one OpenSSH public key line whose base64 holds a key of the type it names."""
    found = _KEY.fullmatch(v.strip())
    if found is None or found.group(1) not in _KEY_TYPES:
        return _KEY_ACCEPTED
    inside = _key_blob_type(found.group(2))
    if inside != found.group(1):
        if inside:
            return Msg("sshkey.blob_holds", type=found.group(1), inside=shown(inside), accepted=_KEY_ACCEPTED)
        return Msg("sshkey.blob", type=found.group(1), accepted=_KEY_ACCEPTED)
    return None


def read_public_key(v: str, base: Path) -> tuple[str | None, str | None]:
    """(key text, None) from key text or a file path; (None, what is wrong and what is accepted) when neither.

    A value that starts like a key is judged as key text (so `ssh-ed25519 notakey` says why the key is bad);
    anything else is a path, read with wizard/safeio (regular files only, at most KEY_LIMIT bytes)."""
    text = v.strip()
    bad = public_key_text(text)
    if bad is None:
        return text, None
    if not text or text.split(" ", 1)[0] in _KEY_TYPES:
        return None, bad
    content, problem = _read_user_file(text, base, safeio.KEY_LIMIT)
    if problem:
        return None, _with_accepted(problem, _KEY_ACCEPTED)
    lines = [ln.strip() for ln in content.split("\n") if ln.strip()]
    wrong = [number for number, ln in enumerate(lines, start=1) if public_key_text(ln) is not None]
    if not lines or wrong:
        if wrong:
            return None, Msg("sshkey.file_line", value=shown(text), line=wrong[0], accepted=_KEY_ACCEPTED)
        return None, Msg("sshkey.file_empty", value=shown(text), accepted=_KEY_ACCEPTED)
    return "\n".join(lines), None


def _read_user_file(text: str, base: Path, limit: int, binary: bool = False) -> tuple[object, str | None]:
    """(content, None) of the file a file answer names, or (None, one-line reason) with the path shortened."""
    path = None
    try:
        path = safeio.expand(text, base)
        content = safeio.read_bytes(path, limit) if binary else safeio.read_text(path, limit)
    except safeio.SafeIOError as exc:
        message = exc.args[0] if exc.args else str(exc)  # a Msg: the UI shows it in its language
        if len(text) > SHOWN:  # a long answer is shown shortened, also where safeio names the resolved path
            for long in sorted({str(path), text}, key=len, reverse=True):
                message = replaced(message, long, shown(text))
        return None, message
    return content, None


def _with_accepted(problem: str, accepted: str) -> str:
    """A file problem plus what the answer accepts, with one `accepted:` per line."""
    return Msg("file.also" if "; accepted: " in problem else "file.accepted", problem=problem, accepted=accepted)


# ------------------------------------------------------------------ CA certificates

_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_PRIVATE = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY")  # PKCS#8, RSA, EC, OpenSSH, encrypted, PGP
_PEM_ACCEPTED = Msg("ca.accepted")


def read_ca_bundle(v: str, base: Path) -> tuple[str | None, str | None]:
    """(the certificates only, None) from the PEM file `v` names, or (None, what is wrong and what is accepted).

    Only CERTIFICATE blocks that load as X.509 are kept, so nothing else the file holds (a private key, text,
    other PEM blocks) ever reaches the image. A file holding a private key is refused: the key is not echoed."""
    data, problem = _read_user_file(v, base, safeio.CA_LIMIT, binary=True)
    if problem:
        return None, _with_accepted(problem, _PEM_ACCEPTED)
    assert isinstance(data, bytes)
    certs, bad = _certificates(data)
    return (certs, None) if bad is None else (None, Msg("ca.refused", value=shown(v), bad=bad, accepted=_PEM_ACCEPTED))


@functools.lru_cache(maxsize=8)
def _certificates(data: bytes) -> tuple[str, str | None]:
    """(the CERTIFICATE blocks of a PEM file, None), or ("", what is wrong). Cached by content: the wizard
    validates on every change, and loading the ~140 certificates of a system bundle takes tens of ms."""
    if _PRIVATE.search(data):
        return "", Msg("ca.private")
    certs = []
    store = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # one store for every block
    for block in _PEM.finditer(data):
        if block.group(1) != b"CERTIFICATE":
            continue
        pem = block.group(0).decode("ascii", "replace").replace("\r\n", "\n")
        try:
            store.load_verify_locations(cadata=pem)
        except (ssl.SSLError, ValueError):
            line = data[: block.start()].count(b"\n") + 1
            return "", Msg("ca.bad_cert", line=line)
        certs.append(pem.strip() + "\n")
    if not certs:
        return "", Msg("ca.none")
    return "".join(certs), None
