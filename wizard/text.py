"""Bilingual texts: one table per language (EN, ZH) keyed by message id, plus `T` for the tree's own texts.

- `tr(id, lang, **params)` formats a message of the table in a language.
- `Msg(id, **params)` is a message built in wizard/ (a validation message, what an answer accepts): it IS the
  English text (a str), so the CLI, the answers-file messages and every test read it as before, and it keeps
  its id and parameters so a UI shows it in the user's language with `in_lang(text, lang)`. A parameter that
  is itself a Msg is translated too; any other value (a quoted answer, a file name) is shown as it is.
- `T(en, zh)` holds the texts that belong to one field, choice or step (answers.py, tree.py).
- `safe_to_show(text)` is the one way text from outside (image labels, archive manifests, engine and registry
  errors, docker context files, the user's files) reaches a terminal, a log line or a widget (docs/security.md).

tests/test_text.py fails when an id lacks a language, when the two languages disagree on an id's parameters,
or when a screen's key (its Footer description) has no entry `key.<description>`.
"""

from __future__ import annotations

import re
import string
from typing import Any, NamedTuple

LANGS = ("en", "zh")


class T(NamedTuple):
    en: str
    zh: str

    def __call__(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    @classmethod
    def of(cls, msg_id: str) -> "T":
        """The table's message `msg_id` (without parameters) as a T, for a choice label shown by the UI."""
        return cls(EN[msg_id], ZH[msg_id])


EN: dict[str, str] = {
    # ---- what a value of an answer is refused for (wizard/answers.py coerce)
    "refused.bool": "{value} is not accepted; accepted: true or false",
    "refused.text": "{value} is not accepted; accepted: text in quotes",
    "refused.list": "{value} is not accepted; accepted: a list of strings like [\"a\", \"b\"]",
    "refused.value": "{value} is not accepted; accepted: {accepted}",
    "refused.choice": "{value} is not available here; accepted: {accepted}",
    "refused.whole": "{value} is not a whole number; accepted: {low}-{high}",
    "refused.range": "{value} is outside {low}-{high}; accepted: {low}-{high}",
    "refused.control": "{value} has a {control}; accepted: one line of printable text",
    "refused.long": "{value} is too long; accepted: at most {max} characters",
    "refused.many": "{count} items are too many; accepted: at most {max} items",
    "refused.binary": "{value} is not accepted for a binary; accepted: {accepted}",
    "control": "control character U+{code} at position {position}",
    "shown.cut": "{start}… ({count} characters)",
    "shown.deep": "a value nested too deeply",
    "choice.empty": "'' ({label})",
    "field.problem": "{label} ({key}): {problem}",
    "preview.waits": "The preview shows the last answers that could be rendered; it waits for: {problem}",
    # ---- what an answer accepts (wizard/checks.py and the fields' own checks)
    "accepted.image_name": "lower-case letters, digits and . _ - separators, path parts split by / (e.g. my-app or team/pycharm), "
                           "2-255 characters (run.sh names the container after it, and Docker's container names have 2 at least)",
    "accepted.image_tag": "1-128 characters of letters, digits, _ . - not starting with . or - (e.g. latest, 1.0)",
    "accepted.apt": "a package name: lower-case letters, digits and + . - (e.g. htop, libgl1)",
    "accepted.pip": "a pip requirement: name[extras] with optional version (e.g. ray==2.9.0, ray[client]>=2.9)",
    "accepted.timezone": "an IANA time zone like Asia/Shanghai or UTC",
    "accepted.timezone_near": "an IANA time zone like Asia/Shanghai or UTC; did you mean {near}?",
    "accepted.driver": "an NVIDIA driver version like 550.135 or 535.171.04 (empty: no driver in the image)",
    "accepted.host_driver": "the NVIDIA driver version nvidia-smi shows on the GPU host, like 550.135 or 535.171.04 "
                            "(empty: choose the PyTorch build yourself)",
    "accepted.devices": "device numbers separated by commas (e.g. 0 or 0,1), or all (NVIDIA only)",
    "accepted.devices_zero": "device numbers without leading zeros separated by commas (e.g. 0, 0,1 or 12, not 007), "
                             "or all (NVIDIA only)",
    "accepted.python": "a Python version from 3.8 to 3.14 (e.g. 3.11)",
    "accepted.torch_version": "a torch version like 2.4.0 (empty: no PyTorch)",
    "accepted.absolute_path": "an absolute path of letters, digits and . _ - / (e.g. /root or /home/ubuntu)",
    "accepted.file_name": "a file name in the build folder: letters, digits and . _ + - (no folders)",
    "accepted.binary_path": "a path inside the build folder: names of letters, digits and . _ + - joined by / "
                            "(e.g. app, bin/server, target/release/app); not absolute, not starting with -, no . or .. parts",
    "accepted.app_file": "a file or folder inside the build folder: names of letters, digits and . _ + - joined by / "
                         "(e.g. tool, app.jar, build/libs/app.jar); not absolute, not starting with -, "
                         "no . or .. parts, no / at the end",
    "accepted.command": "a command and its arguments separated by single spaces, each of letters, digits and "
                        "@ % + = : , . / _ - (e.g. xterm or firefox-esr --kiosk)",
    "accepted.command_word": "a command whose first word is a program, not a word of the shell's own grammar (if, then, "
                             "else, elif, fi, do, done, case, esac, while, until, for, in: the scripts that start the app "
                             "cannot run it), e.g. xterm or firefox-esr --kiosk",
    "accepted.mirror": "one of {named}, or an http(s) URL such as http://mirrors.example.com",
    "accepted.mirror_url": "one of {named}, or an http(s) URL such as http://mirrors.example.com: a host name of parts "
                           "of letters, digits and - that neither start nor end with - (joined by single dots), and a port "
                           "1-65535 if any",
    "accepted.image_ref": "an image reference like registry.example.com/debian:bookworm-slim (empty: the wizard's choice)",
    "accepted.registry_mirror": "empty (no mirror), or a pull-through mirror of Docker Hub as host[:port][/path]: a host name "
                                "of parts of letters, digits and - joined by single dots (or localhost; a one-part name "
                                "needs a port), a port 1-65535 if any, a path of lower-case parts if any, e.g. "
                                "mirror.example.com, 10.0.0.5:5000 or harbor.example.com/hub-proxy",
    "accepted.registry_mirror_scheme": "host[:port][/path] without http:// or https:// (docker names a registry without "
                                       "its scheme), e.g. mirror.example.com:5000; empty for no mirror",
    "accepted.archive": "the JetBrains Linux archive's name as downloaded, e.g. pycharm-community-2024.2.1.tar.gz, "
                        "pycharm-2025.1.tar.gz, goland-2024.3.tar.gz, idea-2025.3-aarch64.tar.gz (known: pycharm, idea, "
                        "ideaIC, ideaIU, WebStorm, goland, CLion, PhpStorm, datagrip, dataspell, RustRover, RubyMine, "
                        "JetBrains.Rider)",
    "accepted.torch": "a torch release from wizard/data/pytorch.toml ({known}) or a minor like 2.4; empty for none",
    # ---- files an answer names (wizard/checks.py: the SSH key, the CA bundle)
    "sshkey.accepted": "an OpenSSH public key line (ssh-ed25519 AAAA... comment) or the path of a .pub file",
    "sshkey.blob": "the base64 after {type} is not a key of that type; accepted: {accepted}",
    "sshkey.blob_holds": "the base64 after {type} is not a key of that type (it holds {inside}); accepted: {accepted}",
    "sshkey.file_line": "{value} does not hold OpenSSH public keys, one per line (line {line} is not one); accepted: {accepted}",
    "sshkey.file_empty": "{value} does not hold OpenSSH public keys, one per line (it is empty); accepted: {accepted}",
    "file.accepted": "{problem}; accepted: {accepted}",
    "file.also": "{problem} ({accepted})",
    "ca.accepted": "a PEM file of CA certificates (-----BEGIN CERTIFICATE-----), no private key",
    "ca.refused": "{value} {bad}; accepted: {accepted}",
    "ca.private": "holds a private key, which would be readable by anyone with the image (copy the certificates alone into a new file)",
    "ca.bad_cert": "has a certificate at line {line} that is not valid X.509",
    "ca.none": "holds no PEM certificate",
    # ---- rules that join several answers (wizard/validate.py)
    "cross.alpine_gpu": "{vendor} drivers need glibc; accepted on alpine: none (pick ubuntu or debian for a GPU)",
    "cross.alpine_torch": "PyTorch publishes no musl (Alpine) wheels; accepted on alpine: empty (pick ubuntu or debian)",
    "cross.alpine_web": "{app} is installed from glibc builds; accepted on alpine: none of the web apps (pick ubuntu "
                        "or debian)",
    "cross.ssh_refused": "{why}; accepted on {engine}: false (or the plain, builtin or kasm engine for SSH)",
    "cross.ssh_password_refused": "{why}; accepted on {engine}: key",
    "cross.auth_always": "{why}; accepted on {engine}: true (the password comes from DESKTOP_PASSWORD)",
    "cross.driver_differs": "{driver} differs from the host's {host}; the user-space driver must EQUAL the host's: accepted: "
                            "the host's version, or empty to mount the host's driver",
    "cross.port_used": "port {port} is already used by {by}; accepted: a free port 1-65535",
    "accepted.requirements": "empty, or a requirements*.txt or pyproject.toml inside the build folder: names of "
                             "letters, digits and . _ + - joined by / (e.g. requirements.txt, deps/requirements-prod.txt)",
    "python.no_dependencies": "{file} has no [project] dependencies list; accepted: a pyproject.toml with one, a "
                              "requirements.txt, or empty for none",
    "python.torch_needed": "{file} names {names}: choose its release in gpu.pytorch, so the build for this host's "
                           "driver, arch and Python is installed from the PyTorch index (a plain pip install would "
                           "take PyPI's default build); accepted: one of {known}",
    "python.torch_pin": "{file} pins {name}=={pinned} but gpu.pytorch is {chosen}; accepted: gpu.pytorch {pinned} "
                        "(when it is a known release: {known}) or the same pin in {file}",
    "python.port_differs": "the command serves on port {port} but app.port is {app_port}; accepted: the same port in "
                           "both",
    "python.taken": "the project's code goes to {folder}, a folder imgwizard or the base image fills itself; "
                    "accepted: an image.name whose last part is not {taken} (it names the folder)",
    "cross.forward_same": "is the same as forward.listen; accepted: the port the app listens on, different from forward.listen",
    "cross.scratch_shell": "scratch has no shell; accepted for this app type: ubuntu, debian, alpine",
    "cross.base_scratch": "{ref} is the empty image, with no shell for the {family} image's RUN steps and start "
                          "scripts; accepted: an image of {family}, or empty (scratch only for a binary on os.family = scratch)",
    "cross.base_scratch_name": "{ref} names the reserved image scratch, which Docker never pulls (only FROM scratch is "
                               "the empty image); accepted: scratch, or empty",
    "cross.port_engine": "port {port} is taken inside the image by the {engine} desktop's {owner}; accepted: a port "
                         "1-65535 other than its own ports ({ports})",
    "cross.generated_name": "{value} is named like {name}, a file imgwizard writes into the build folder: yours would "
                            "be moved to {name}.bak and the image would get imgwizard's file; accepted: another name "
                            "(e.g. in a folder: bin/{name}); see docs/answers.md for the list",
    "cross.archive_arch": "{archive} is the {built} build but image.arch is {arch}; accepted: the archive of the image's "
                          "architecture (arm64 ones end -aarch64.tar.gz)",
    "cross.jetbrains_alpine": "JetBrains IDEs run on their bundled Java runtime, built for glibc: it does not start on "
                              "Alpine (musl); accepted on alpine: command (or pick ubuntu or debian for a JetBrains IDE)",
    "cross.ascend_all": "Ascend NPUs are passed one by one (--device /dev/davinciN and ASCEND_VISIBLE_DEVICES); accepted "
                        "for ascend: the device numbers `npu-smi info` shows on the host, e.g. 0 or 0,1",
    "cross.base_family": "{ref} is an image of {other} but os.family is {family}; accepted: an image of {family} (e.g. "
                         "{family}:{version}), or set os.family to match",
    "cross.base_engine": "{ref} is not an image of the {engine} desktop's repository ({repositories}): the "
                         "start-up and helpers the image relies on are that base's own ({helpers}), which another "
                         "image does not have, so the build or the start would fail; accepted: an image of "
                         "{repositories} (from any registry), or empty",
    "cross.base_release_plain": "{value} would be another release of a third-party desktop base, but the {engine} "
                                "image {image} is a distribution image; accepted: empty (os.base_image names "
                                "another image of the same OS)",
    "cross.base_release_image": "os.base_release and os.base_image both choose the base image; accepted: one of them "
                                "(os.base_release: another tag of {repository}; os.base_image: another image)",
    # ---- the program a desktop `command` app starts (wizard/validate.py, wizard/data/commands.toml)
    "command.package": "{name} is a package, not a program; accepted: the program to start, e.g. {programs} "
                       "(packages.apt then gets {name})",
    "command.unknown": "imgwizard does not know which {os} package provides {name} and never guesses one; accepted: "
                       "packages.apt naming the package that provides it, or a program it knows ({known})",
    "command.missing": "{name} comes from the {os} package {package}, which packages.apt does not install; accepted: "
                       "packages.apt with {packages} (the default when packages.apt is not given)",
    "command.via_java": "{name} comes from packages.java's JDK; accepted: packages.java = {versions}{or_packages}",
    "command.or_packages": ", or packages.apt with {packages}",
    "command.snap": "{name} on Ubuntu {version} is the snap transitional package {snap}: it only installs a snap and "
                    "snapd does not run in a container, so nothing would start; accepted: os.family = debian (firefox "
                    "is firefox-esr and chromium a real package there, on every desktop engine), or another program "
                    "whose package you name in packages.apt",
    "command.not_in_ubuntu": "{name} is not in Ubuntu's archive (only in Mozilla's PPA, which imgwizard does not "
                             "add); accepted: os.family = debian, where firefox-esr is packaged, or another program "
                             "whose package you name in packages.apt",
    "command.code": "VS Code ({name}) is not in {os}'s archive (only Microsoft's own repository has it); accepted: "
                    "app.type = web with app.name = code-server (VS Code in the browser), or another program",
    "files.taken": "app.files go to {folder}, a folder imgwizard or the base image fills itself; accepted: an "
                   "image.name whose last part is not {taken} (it names the folder)",
    "files.same_name": "{value} and {other} would both be copied to {path}; accepted: entries whose last parts differ",
    "files.link": "{value} is a symbolic link (to {target}): Docker would send the link, not what it points to; "
                  "accepted: the file or folder itself",
    "files.kind": "{value} is {kind}; accepted: a regular file or a folder",
    "files.inner_link": "{value} holds the symbolic link {link} to {target}, outside {value}: in the image it would "
                        "point at nothing, or at the image's own files; accepted: relative links that stay inside {value}",
    "files.inner_kind": "{value} holds {path}, {kind}; accepted: regular files, folders and links inside {value}",
    "files.nothing": "nothing (app.files is empty)",
    "files.not_brought": "{path} is not what app.files copies to {folder} ({brought}); accepted: a path under one of "
                         "them, e.g. app.files = [\"tool\"] with {folder}/tool/bin/start",
    "files.missing": "{path} would be {src} of the build folder, which {entry} does not hold; accepted: the path of "
                     "a file inside {entry}",
    "files.not_executable": "{path} would be {src} of the build folder, which is not executable (the image keeps the "
                            "build folder's mode); accepted: an executable program (chmod +x {src}), or its "
                            "interpreter first (sh {path}, java -jar ...)",
    "files.other_opt": "{path} is under /opt but app.files go to {folder} (the folder follows image.name); accepted: "
                       "a program under {folder}/",
    "cross.no_key_shell": "SSH is on by default for a shell image and key login needs your OpenSSH public key; accepted: "
                          "[ssh] authorized_key = \"ssh-ed25519 AAAA...\" or the path of a .pub file (e.g. \"~/.ssh/id_ed25519.pub\"), "
                          "or auth = \"password\" (SSH_PASSWORD at start), or enabled = false for no SSH",
    "cross.no_key": "ssh.enabled is on and key login needs your OpenSSH public key; accepted: [ssh] authorized_key = "
                    "\"ssh-ed25519 AAAA...\" or the path of a .pub file (e.g. \"~/.ssh/id_ed25519.pub\"), or auth = \"password\" "
                    "(SSH_PASSWORD at start), or enabled = false for no SSH",
    # ---- PyTorch builds (wizard/knowledge.py torch_build)
    "torch.python": "torch {torch} has wheels for Python {lo}-{hi}, the image's Python is {python}; accepted: {fits}",
    "torch.ascend": "PyTorch on Ascend needs torch_npu matched to the host's CANN, which imgwizard does not install; "
                    "accepted with gpu.vendor = ascend: gpu.pytorch empty (install torch_npu per hiascend's docs in the "
                    "container) or gpu.cuda = cpu for a CPU-only torch",
    "torch.no_variant": "torch {torch} has no {variant} build; accepted: {variants} or empty",
    "torch.no_aarch64": "torch {torch} {variant} has no aarch64 wheels (pip would fall back to PyPI's CPU torch); accepted "
                        "on arm64: {variants}",
    "torch.needs_nvidia": "{variant} needs an NVIDIA GPU; accepted without gpu.vendor = nvidia: cpu or empty",
    "torch.driver_floor": "{variant} needs driver >= {floor} (CUDA minor-version compatibility) but the driver is {driver}; "
                          "accepted: a lower CUDA variant, cpu or empty",
    "torch.compat_only": "gpu.cuda {variant} wants driver >= {minimum}; driver {driver} runs it only by CUDA minor-version "
                         "compatibility (kernels needing a newer driver, e.g. PTX JIT, fail): prefer a newer driver",
    "torch.no_aarch64_cuda": "torch {torch} has no aarch64 CUDA wheels; accepted on arm64: a release with aarch64 CUDA "
                             "wheels ({releases}) or gpu.cuda = cpu",
    "torch.needs_driver": "the CUDA build of torch {torch} depends on the host's driver; accepted: the version nvidia-smi "
                          "shows on the GPU host, or gpu.cuda = one of {variants}, cpu",
    "torch.but_compat": "gpu.cuda = {variants} (runs only by CUDA minor-version compatibility) or cpu",
    "torch.no_cuda_for_driver": "torch {torch} has no CUDA build for driver {driver} ({variant} needs >= {minimum}); "
                                "accepted: an older release, a newer host driver, or {but}",
    # ---- the user's files and folders (wizard/safeio.py, wizard/context.py, screens/folders.py)
    "io.no_user": "{text}: there is no user {quoted} on this machine for ~{user}",
    "io.symlink": "{path} is a symbolic link; accepted: a regular file",
    "io.cannot_read": "cannot read {path}: {why}",
    "io.not_regular": "{path} is {kind}; accepted: a regular file",
    "io.too_big": "{path} is {size} bytes; accepted: at most {limit} bytes for this file",
    "io.more_than": "{path} is more than {limit} bytes; accepted: at most {limit} bytes for this file",
    "io.not_utf8": "{path} is not UTF-8 text (byte {byte}, line {line}); accepted: a UTF-8 text file",
    "io.leaves": "{relative} in {folder} is a symbolic link to {target}, outside the build folder, which Docker "
                 "cannot send; accepted: the file itself (or a link inside the folder)",
    "io.cannot_look": "cannot look at {path}: {why}",
    "io.link_out": "{path} is a symbolic link to {target}, outside {folder}; imgwizard does not write through it: "
                   "remove the link or choose another folder",
    "io.not_replaceable": "{path} is {kind}; accepted: a regular file or nothing there (move it away or choose "
                          "another folder)",
    "io.cannot_write_in": "cannot write {name} in {folder}: {why}",
    "io.cannot_write": "cannot write {path}: {why}",
    "io.log_refused": "{path} {problem}; imgwizard does not write into it: accepted: a regular file or a new name "
                      "for the log",
    "io.is_link": "is a symbolic link",
    "io.is_kind": "is {kind}",
    "io.hard_links": "has other names (hard links)",
    "io.nothing_changed": "{problem}; nothing was changed (no file replaced, no backup made)",
    "io.cannot_use": "cannot use {path} as the build context folder: {why}",
    "io.not_folder": "{path} is {kind}; accepted: a folder for the build context (created when missing)",
    "io.cannot_create": "cannot create the folder {folder}: {why}; nothing was written",
    "io.cannot_write_into": "cannot write into {folder}: {why}",
    "io.nul": "{text}: a folder name cannot hold a NUL character",
    "kind.folder": "a folder",
    "kind.fifo": "a FIFO (named pipe)",
    "kind.char_device": "a character device",
    "kind.block_device": "a block device",
    "kind.socket": "a socket",
    "kind.other": "not a regular file",
    "kind.file": "a file",
    # the C library's own words (glibc and musl say them alike); wizard/safeio.py os_reason
    "os.eacces": "Permission denied",
    "os.eperm": "Operation not permitted",
    "os.enoent": "No such file or directory",
    "os.enotdir": "Not a directory",
    "os.eisdir": "Is a directory",
    "os.enospc": "No space left on device",
    "os.erofs": "Read-only file system",
    "os.edquot": "Disk quota exceeded",
    "os.enametoolong": "File name too long",
    "os.eloop": "Too many levels of symbolic links",
    "os.eexist": "File exists",
    # ---- what the plan says about the answers (wizard/plan.py): warnings, the files the user adds
    "plan.desktop_auth_off": "desktop.auth is off: anyone who reaches the published port gets the desktop",
    "plan.base_release": "os.base_release builds FROM {repository}:{release}; facts read at {pinned} (account "
                         "files, apt sources, helpers, uid 1000), not at {release}: run `imgwizard bases check "
                         "{repository}:{release}` before relying on it",
    "plan.app_auth_off": "app.auth is off: anyone who reaches port {port} runs code as {user} in the container",
    "plan.plain_http": "{key} {url} is plain http: pip trusts {host} (PIP_TRUSTED_HOST), so packages come "
                       "unencrypted and unverified; prefer an https:// index",
    "plan.registry_left_alone": "mirror.registry {mirror} serves Docker Hub images only: FROM {ref} is pulled from "
                                "{registry} itself (a Docker Hub mirror cannot serve another registry's images); if the "
                                "engine cannot reach {registry}, name a copy it can reach in os.base_image",
    "plan.copied_from_host": "copied from the host's {path}",
    "plan.the_hosts": "the host's {path}",
    "plan.file.nvidia_run": "the NVIDIA driver installer of the host's exact version",
    "plan.file.jetbrains": "the JetBrains Linux archive you downloaded",
    "plan.file.binary": "the binary (statically linked for scratch)",
    "plan.file.app_files": "the app's own file or folder, copied to {path}",
    "plan.file.python_deps": "the project's dependency file, installed before its code is copied to {path}",
    "plan.file.python_code": "the file the start command runs: the project's code, the whole build folder less "
                             ".dockerignore's entries, is copied to {path}",
    # ---- the plain flow (screens/cli/plain.py)
    "plain.interrupted": "\nInterrupted: nothing was written.",
    "plain.no_terminal": "imgwizard --plain: no terminal to ask on: use `imgwizard render ANSWERS -o DIR` or run in a "
                         "terminal",
    "plain.nothing_written": "Nothing was written.",
    "plain.overwrite": "  will overwrite {name} (the old one is kept as {backup})",
    "plain.write": "Write {count} files to {folder}?",
    "plain.cannot_write": "Cannot write into {folder}: {why}",
    "plain.wrote": "Wrote {files} in {folder}",
    "plain.nothing_new": "nothing new",
    "plain.todo": "To do: put {name} in {folder} ({what})",
    "plain.build_it": "Build it: imgwizard build {folder} -t {image}",
    "plain.save_in": "Save the build context in:",
    "plain.cannot_save": "  ✗ Cannot save there: {why}; pick another folder",
    "plain.other": "Other (type it)",
    "plain.empty": "(empty)",
    "plain.yes": "Yes",
    "plain.no": "No",
    "plain.back": "← Back",
    "plain.back_hint": "(< and Enter: back) ",
    "plain.select_hint": "(Use arrow keys)",
    "plain.first": "  This is the first question: there is nothing to go back to.",
    "plain.only": "  {label}: {value} (the only choice here)",
    "found.title": "Found in this folder (pre-filled, change them as you like):",
    "found.line": "  ⌂ {key} = {value}: {why}",
    # ---- the Textual screens (screens/*.py): ui.<screen>.<name>
    "ui.save.will_write": "Will write: ",
    "ui.save.will_overwrite": "Will overwrite ",
    "ui.save.kept_as": "{name} (the old one is kept as {backup})",
    "ui.save.unchanged": "Unchanged: ",
    "ui.save.to_place": "Still to place there: ",
    "ui.save.file_what": "{name} ({what})",
    "ui.save.title": "Review and save the build context (Enter saves)",
    "ui.save.folder": "Folder:",
    "ui.save.looking": "Looking at the folder...",
    "ui.save.saving": "Saving into {folder}...",
    "ui.saved.title": "Saved",
    "ui.saved.nothing": "nothing changed",
    "ui.jump.save": "Cannot save yet",
    "ui.jump.build": "Cannot build yet",
    "ui.jump.keys": "Enter: go to step “{step}”   Esc: stay here",
    "ui.tag.title": "Build the image",
    "ui.tag.label": "Tag (name:tag):",
    "ui.tag.refused": "✗ Tag: {problem}",
    "ui.confirm.keys": "y: yes   n / Esc: no",
    "ui.quit.unsaved": "There are unsaved changes. Quit without saving?",
    # ---- before a build: can the engine get the base image? (wizard/engine/pull_check.py)
    "pull.hub": "the engine cannot reach Docker Hub for {ref} ({why}): set mirror.registry (the mirrors step) to a "
                "registry mirror the engine reaches and render again, or registry-mirrors in the engine's "
                "/etc/docker/daemon.json",
    "pull.mirror": "the engine cannot reach the registry mirror {mirror} (mirror.registry) for {ref} ({why}): set "
                   "mirror.registry (the mirrors step) to a mirror the engine reaches and render again, or empty it to "
                   "pull from Docker Hub",
    "pull.other": "the engine cannot reach {registry} for {ref} ({why}): mirror.registry serves Docker Hub images "
                  "only; name a copy the engine reaches in os.base_image and render again",
    "pull.no_answer": "no answer within {seconds} s",
    "pull.pulls": "the base image {ref} is not on the engine: the build pulls it from {registry}",
    "ui.build.title": "Building {tag} from {folder} (full log: {log})",
    "ui.build.no_log": "No build.log: {why}",
    "ui.build.no_end": "the builder stopped without saying the image was built",
    "ui.build.log_stopped": "build.log: {why}",
    "ui.build.sending": "sending the build context: {sent} of {total}",
    "ui.build.no_layers": "No layer view: {why}",
    "ui.build.layers": "Where the bytes go (largest first)",
    "ui.build.in_all": "{size} in all",
    "ui.build.built": "✓ Built {tag}. Next:",
    "ui.build.next_step": "{what}: ",
    "ui.build.run_it": "Run it",
    "ui.build.check_it": "Check that its services answer",
    "ui.build.export_it": "Export it to a tar file",
    "ui.build.q_closes": "q closes.",
    "ui.build.cancelled": "Build cancelled: the engine stopped at the current step. q closes.",
    "ui.build.at_step": "step {step}/{total}: {text}",
    "ui.build.before_first": "before the first step",
    "ui.build.failed_at": "✗ Failed at {where}",
    "ui.build.full_log": "Full log: {log}. q closes.",
    "ui.build.step_of": "step {step}/{total}",
    "ui.build.step_none": "step -/-",
    "ui.build.elapsed": "elapsed {time}",
    "ui.build.left": "about {time} left",
    "ui.build.estimate_later": "estimate after the first step",
    "ui.build.state.running": "running",
    "ui.build.state.done": "done",
    "ui.build.state.failed": "failed",
    "ui.build.state.cancelled": "cancelled",
    "ui.build.cancelling": "Cancelling...",
    "ui.build.cannot": "Cannot build",
    "ui.build.files_first": "Files to add first",
    "ui.build.file_copied": "{path}: the Dockerfile COPYs it (see README.md there)",
    "ui.engine.ready": "Docker engine: ready (F5 builds)",
    "ui.engine.none": "No Docker engine answers: you can still save; F5 says how to start one",
    "ui.engine.remote": "Docker engine at {origin}: ready (F5 builds there; ⌂ values are its host's)",
    "ui.wizard.check_failed": "A background check failed",
    "ui.wizard.fix_first": "Fix this step first",
    "ui.wizard.not_remembered": "The choice holds for this run only",
    "ui.settings.cannot": "{path}: {why}",
    "ui.help.title": "imgwizard keys",
    "ui.auth_off.desktop": "⚠ Desktop password OFF: anyone who reaches the published port gets the desktop.",
    "ui.auth_off.app": "⚠ App authentication OFF: anyone who reaches the port runs code in the container.",
    "ui.blocked.line": "✗ Save and build wait for step “{step}”: {what} — F6 goes there",
    "ui.blocked.no_context": "the build context cannot be made",
    "ui.review.warnings": "Warnings",
    "ui.review.files": "Files to add to the folder before building",
    "ui.review.answers": "Every answer, by step",
    "ui.review.none": "none",
    "ui.review.yes": "yes",
    "ui.review.no": "no",
    "ui.field.free_release": "or type another release, e.g. 2.5.1",
    "ui.field.free_mirror": "or type a mirror URL, e.g. https://mirrors.example.org",
    "ui.field.free_other": "or type another value",
    "ui.field.no_typing": "↑ ↓ choose here (the highlighted one is the answer); typed letters pick nothing",
    "ui.field.count": "{shown} of {every}",
    "ui.field.no_match": "nothing matches",
    "ui.field.filter": "Filter: {text} — {count} (Backspace erases, Esc clears)",
    "ui.field.paste_long": "the pasted text is {count} characters; accepted: at most {max}. Nothing was pasted",
    "ui.field.paste_lines": "the pasted text has {count} lines; accepted: one line. Nothing was pasted",
    "ui.field.not_pasted": "Not pasted",
    "ui.too_small": "The terminal is {width}x{height}: enlarge it to at least {min_width}x{min_height} (80x24 "
                    "reads best), or run imgwizard --plain",
    "ui.answers.dropped": "Answers read from {source} that were dropped",
    "answers.dropped": "names a file outside the folder ({value}): dropped; answers read from an image may name "
                       "only a file inside the folder (a relative path without ..)",
    "cli.answers.output_folder": "-o {path} names a folder; accepted: the name of a new file, e.g. {example}",
    "ui.preview.not_part": "({name} is not part of this build context: these answers do not need it)",
    "ui.preview.lint": "lint",
    "ui.preview.no_findings": "No findings: the parser and hadolint accept this Dockerfile.",
    "ui.preview.finding": "line {line} {level} {code}: {message}",
    "ui.help.body": (
        "Answer the questions in the middle; the build context on the right follows every change "
        "(changed lines are highlighted, F3 shows the other files and the lint findings).\n\n"
        "  ↑ ↓ / j k    move between choices (the highlighted one is the answer)\n"
        "  Enter        next question; on the last one, the next step\n"
        "  Tab          next field\n"
        "  Ctrl+N       next step (refused while a field of the step is wrong)\n"
        "  Esc          previous step\n"
        "  F2           the steps list: pick a step with ↑ ↓ and Enter\n"
        "  F3           next preview file (Dockerfile, entry wrapper, compose.yaml, run.sh, answers, lint)\n"
        "  F4           中文 / English\n"
        "  Ctrl+S       save the build context (asks the folder, shows what it overwrites, keeps NAME.bak)\n"
        "  F5           build the image with Docker (saves first; Esc cancels the build)\n"
        "  F6           go to the step whose answer keeps Save and Build waiting\n"
        "  F7           preview: wrap long lines or scroll them sideways (remembered)\n"
        "  F1           this help\n"
        "  Ctrl+Q       quit (asks when there are unsaved changes)\n\n"
        "⌂ marks values detected on this host; they are only suggestions."
    ),
    # ---- key descriptions in the Textual Footer: key.<the Binding's description>
    "key.Next": "Next",
    "key.Back": "Back",
    "key.Steps": "Steps",
    "key.Files": "Files",
    "key.Save": "Save",
    "key.First step": "First step",
    "key.Last step": "Last step",
    "key.Go there": "Go there",
    "key.Go to the problem": "Go to the problem",
    "key.Stay": "Stay",
    "key.Wrap/scroll": "Wrap/scroll",
    "key.Build": "Build",
    "key.中文/English": "中文/English",
    "key.Help": "Help",
    "key.Quit": "Quit",
    "key.Cancel build": "Cancel build",
    "key.Close": "Close",
    "key.Cancel": "Cancel",
    "key.Yes": "Yes",
    "key.No": "No",
    "key.Down": "Down",
    "key.Up": "Up",
}

ZH: dict[str, str] = {
    "refused.bool": "不接受 {value}；可接受：true 或 false",
    "refused.text": "不接受 {value}；可接受：加引号的文本",
    "refused.list": "不接受 {value}；可接受：字符串列表，如 [\"a\", \"b\"]",
    "refused.value": "不接受 {value}；可接受：{accepted}",
    "refused.choice": "此处没有 {value} 这一项；可选：{accepted}",
    "refused.whole": "{value} 不是整数；可接受：{low}-{high}",
    "refused.range": "{value} 超出 {low}-{high}；可接受：{low}-{high}",
    "refused.control": "{value} 含有{control}；可接受：一行可打印的文本",
    "refused.long": "{value} 太长；可接受：最多 {max} 个字符",
    "refused.many": "{count} 项太多；可接受：最多 {max} 项",
    "refused.binary": "二进制程序不接受 {value}；可接受：{accepted}",
    "control": "第 {position} 个字符处的控制字符 U+{code}",
    "shown.cut": "{start}…（共 {count} 个字符）",
    "shown.deep": "嵌套过深的值",
    "choice.empty": "''（{label}）",
    "field.problem": "{label}（{key}）：{problem}",
    "preview.waits": "预览显示最后一次能生成的答案；等待修正：{problem}",
    "accepted.image_name": "小写字母、数字，用 . _ - 连接，各段之间用 / 分隔（如 my-app 或 team/pycharm），共 2-255 个字符"
                           "（run.sh 用它命名容器，Docker 的容器名至少 2 个字符）",
    "accepted.image_tag": "1-128 个字母、数字或 _ . -，不能以 . 或 - 开头（如 latest、1.0）",
    "accepted.apt": "软件包名：小写字母、数字和 + . -（如 htop、libgl1）",
    "accepted.pip": "pip 依赖：包名[附加项]，可带版本（如 ray==2.9.0、ray[client]>=2.9）",
    "accepted.timezone": "IANA 时区名，如 Asia/Shanghai 或 UTC",
    "accepted.timezone_near": "IANA 时区名，如 Asia/Shanghai 或 UTC；是否想输入 {near}？",
    "accepted.driver": "NVIDIA 驱动版本，如 550.135 或 535.171.04（留空：镜像内不装驱动）",
    "accepted.host_driver": "GPU 宿主机上 nvidia-smi 显示的 NVIDIA 驱动版本，如 550.135 或 535.171.04"
                            "（留空：自己选择 PyTorch 版本类型）",
    "accepted.devices": "用逗号分隔的设备编号（如 0 或 0,1），或 all（仅 NVIDIA）",
    "accepted.devices_zero": "用逗号分隔、不带前导零的设备编号（如 0、0,1 或 12，不能写 007），或 all（仅 NVIDIA）",
    "accepted.python": "3.8 到 3.14 之间的 Python 版本（如 3.11）",
    "accepted.torch_version": "torch 版本，如 2.4.0（留空：不安装 PyTorch）",
    "accepted.absolute_path": "由字母、数字和 . _ - / 组成的绝对路径（如 /root 或 /home/ubuntu）",
    "accepted.file_name": "构建目录中的文件名：字母、数字和 . _ + -（不含子目录）",
    "accepted.binary_path": "构建目录内的路径：由字母、数字和 . _ + - 组成的名称，用 / 连接"
                            "（如 app、bin/server、target/release/app）；不能是绝对路径，不能以 - 开头，不能含 . 或 ..",
    "accepted.app_file": "构建目录内的文件或文件夹：由字母、数字和 . _ + - 组成的名称，用 / 连接"
                         "（如 tool、app.jar、build/libs/app.jar）；不能是绝对路径，不能以 - 开头，"
                         "不能含 . 或 ..，末尾不加 /",
    "accepted.command": "命令及其参数，用单个空格分隔，每一项由字母、数字和 @ % + = : , . / _ - 组成"
                        "（如 xterm 或 firefox-esr --kiosk）",
    "accepted.command_word": "第一个词是程序的命令，而不是 shell 语法本身的关键字（if、then、else、elif、fi、do、done、case、"
                             "esac、while、until、for、in：启动应用的脚本无法运行它），如 xterm 或 firefox-esr --kiosk",
    "accepted.mirror": "{named} 之一，或 http(s) 地址，如 http://mirrors.example.com",
    "accepted.mirror_url": "{named} 之一，或 http(s) 地址，如 http://mirrors.example.com：主机名各段由字母、数字和 - 组成，"
                           "不以 - 开头或结尾（用单个点连接），端口（如有）为 1-65535",
    "accepted.image_ref": "镜像引用，如 registry.example.com/debian:bookworm-slim（留空：由向导选择）",
    "accepted.registry_mirror": "留空（不用镜像仓库），或 Docker Hub 的拉取代理镜像仓库，格式 主机[:端口][/路径]：主机名各段由字母、"
                                "数字和 - 组成，用单个点连接（或 localhost；只有一段的主机名须带端口），端口（如有）为 "
                                "1-65535，路径（如有）由小写段组成，如 mirror.example.com、10.0.0.5:5000 或 "
                                "harbor.example.com/hub-proxy",
    "accepted.registry_mirror_scheme": "主机[:端口][/路径]，不带 http:// 或 https://（docker 的仓库名不含协议），"
                                       "如 mirror.example.com:5000；留空表示不用镜像仓库",
    "accepted.archive": "下载得到的 JetBrains Linux 安装包文件名，如 pycharm-community-2024.2.1.tar.gz、"
                        "pycharm-2025.1.tar.gz、goland-2024.3.tar.gz、idea-2025.3-aarch64.tar.gz（支持：pycharm、idea、"
                        "ideaIC、ideaIU、WebStorm、goland、CLion、PhpStorm、datagrip、dataspell、RustRover、RubyMine、"
                        "JetBrains.Rider）",
    "accepted.torch": "wizard/data/pytorch.toml 中的 torch 版本（{known}），或 2.4 这样的小版本；留空表示不安装",
    "sshkey.accepted": "一行 OpenSSH 公钥（ssh-ed25519 AAAA... 注释），或 .pub 文件的路径",
    "sshkey.blob": "{type} 后面的 base64 不是该类型的密钥；可接受：{accepted}",
    "sshkey.blob_holds": "{type} 后面的 base64 不是该类型的密钥（其中是 {inside}）；可接受：{accepted}",
    "sshkey.file_line": "{value} 中不是每行一个 OpenSSH 公钥（第 {line} 行不是）；可接受：{accepted}",
    "sshkey.file_empty": "{value} 中没有 OpenSSH 公钥（文件是空的）；可接受：{accepted}",
    "file.accepted": "{problem}；可接受：{accepted}",
    "file.also": "{problem}（{accepted}）",
    "ca.accepted": "CA 证书的 PEM 文件（-----BEGIN CERTIFICATE-----），不能含私钥",
    "ca.refused": "{value} {bad}；可接受：{accepted}",
    "ca.private": "含有私钥，任何拿到镜像的人都能读到它（请只把证书复制到一个新文件中）",
    "ca.bad_cert": "第 {line} 行的证书不是有效的 X.509 证书",
    "ca.none": "不含任何 PEM 证书",
    "cross.alpine_gpu": "{vendor} 驱动需要 glibc；alpine 上只能选：none（要用显卡请选 ubuntu 或 debian）",
    "cross.alpine_torch": "PyTorch 没有发布 musl（Alpine）版本的 wheel；alpine 上只能留空（请选 ubuntu 或 debian）",
    "cross.alpine_web": "{app} 只有 glibc 版本；alpine 上不能使用这些 Web 应用（请选 ubuntu 或 debian）",
    "cross.ssh_refused": "{why}；在 {engine} 上可接受：false（要用 SSH 请改用 plain、builtin 或 kasm 引擎）",
    "cross.ssh_password_refused": "{why}；在 {engine} 上可接受：key",
    "cross.auth_always": "{why}；在 {engine} 上可接受：true（密码来自 DESKTOP_PASSWORD）",
    "cross.driver_differs": "{driver} 与宿主机的 {host} 不同；镜像内的用户态驱动必须与宿主机完全一致：可接受：宿主机的版本，或留空以挂载宿主机驱动",
    "cross.port_used": "端口 {port} 已被 {by} 使用；可接受：1-65535 中未被占用的端口",
    "accepted.requirements": "留空，或构建目录内的 requirements*.txt 或 pyproject.toml：由字母、数字和 . _ + - "
                             "组成的名称，用 / 连接（如 requirements.txt、deps/requirements-prod.txt）",
    "python.no_dependencies": "{file} 没有 [project] dependencies 列表；可接受：带该列表的 pyproject.toml、"
                              "requirements.txt，或留空表示没有依赖",
    "python.torch_needed": "{file} 中有 {names}：请在 gpu.pytorch 中选择其版本，以便从 PyTorch 索引安装适合本机驱动、"
                           "架构和 Python 的版本（直接 pip install 会得到 PyPI 的默认版本）；可接受：{known} 之一",
    "python.torch_pin": "{file} 固定了 {name}=={pinned}，但 gpu.pytorch 是 {chosen}；可接受：gpu.pytorch 选 {pinned}"
                        "（需为已知版本：{known}），或在 {file} 中固定相同版本",
    "python.port_differs": "启动命令监听端口 {port}，但 app.port 是 {app_port}；可接受：两者使用同一端口",
    "python.taken": "项目代码复制到 {folder}，该目录由 imgwizard 或基础镜像自己使用；可接受：image.name 的最后一段不是 "
                    "{taken}（它决定目录名）",
    "cross.forward_same": "与 forward.listen 相同；可接受：应用实际监听的端口，且不同于 forward.listen",
    "cross.scratch_shell": "scratch 没有 shell；此应用类型可接受：ubuntu、debian、alpine",
    "cross.base_scratch": "{ref} 是空白镜像，没有 shell 可执行 {family} 镜像的 RUN 步骤和启动脚本；可接受：{family} 的镜像，"
                          "或留空（scratch 只用于 os.family = scratch 的二进制程序）",
    "cross.base_scratch_name": "{ref} 指向保留名称 scratch，Docker 不会拉取它（只有 FROM scratch 表示空白镜像）；"
                               "可接受：scratch，或留空",
    "cross.port_engine": "端口 {port} 在镜像内已被 {engine} 桌面的 {owner} 占用；可接受：1-65535 中除其自用端口"
                         "（{ports}）以外的端口",
    "cross.generated_name": "{value} 与 imgwizard 写入构建目录的文件 {name} 同名：你的文件会被改名为 {name}.bak，"
                            "镜像里得到的是 imgwizard 的文件；可接受：其他名称（如放进子目录：bin/{name}）；完整列表见 docs/answers.md",
    "cross.archive_arch": "{archive} 是 {built} 版本，而 image.arch 是 {arch}；可接受：与镜像架构一致的安装包（arm64 的以 -aarch64.tar.gz 结尾）",
    "cross.jetbrains_alpine": "JetBrains IDE 使用自带的 Java 运行时，它为 glibc 构建，在 Alpine（musl）上无法启动；alpine 上可接受：command（或为 JetBrains "
                              "IDE 选择 ubuntu 或 debian）",
    "cross.ascend_all": "昇腾 NPU 需要逐个挂载（--device /dev/davinciN 和 ASCEND_VISIBLE_DEVICES）；昇腾可接受：宿主机 `npu-smi info` 显示的设备编号，"
                        "如 0 或 0,1",
    "cross.base_family": "{ref} 是 {other} 的镜像，而 os.family 是 {family}；可接受：{family} 的镜像（如 {family}:{version}），或把 os.family "
                         "改成与之一致",
    "cross.base_engine": "{ref} 不是 {engine} 桌面仓库（{repositories}）的镜像：镜像依赖的启动"
                         "方式和辅助命令（{helpers}）是该基础镜像自带的，其他镜像没有，构建或启动会失败；"
                         "可接受：{repositories} 的镜像（任意镜像仓库均可），或留空",
    "cross.base_release_plain": "{value} 是第三方桌面基础镜像的其他版本，但 {engine} 使用的 "
                                "{image} 是发行版镜像；可接受：留空（如需同系统的其他镜像，请用 "
                                "os.base_image）",
    "cross.base_release_image": "os.base_release 和 os.base_image 都会指定基础镜像；可接受：二者之一"
                                "（os.base_release：{repository} 的其他标签；os.base_image：其他镜像）",
    "command.package": "{name} 是软件包而不是程序；可接受：要启动的程序，如 {programs}（packages.apt 会安装 {name}）",
    "command.unknown": "imgwizard 不知道 {os} 中哪个软件包提供 {name}，也不会猜测包名；可接受："
                       "在 packages.apt 中写明提供它的软件包，或已知的程序（{known}）",
    "command.missing": "{name} 来自 {os} 的软件包 {package}，但 packages.apt 没有安装它；可接受："
                       "packages.apt 包含 {packages}（未填写 packages.apt 时这就是默认值）",
    "command.via_java": "{name} 来自 packages.java 安装的 JDK；可接受：packages.java = {versions}{or_packages}",
    "command.or_packages": "，或 packages.apt 包含 {packages}",
    "command.snap": "Ubuntu {version} 上的 {name} 是 snap 过渡包 {snap}：它只会安装 snap，"
                    "而容器中无法运行 snapd，程序不会启动；可接受：os.family = debian（那里 firefox "
                    "即 firefox-esr，chromium 是真正的软件包，各桌面模板均可），或在 packages.apt "
                    "中写明软件包的其他程序",
    "command.not_in_ubuntu": "Ubuntu 软件源中没有 {name}（只有 Mozilla 的 PPA 提供，imgwizard 不会添加）；可接受："
                             "os.family = debian（提供 firefox-esr 软件包），或在 packages.apt 中写明软件包的其他程序",
    "command.code": "{os} 的软件源中没有 VS Code（{name}）（只有微软自己的软件源提供）；可接受：app.type = web 且 "
                    "app.name = code-server（浏览器里的 VS Code），或其他程序",
    "files.taken": "app.files 复制到 {folder}，该目录由 imgwizard 或基础镜像自己使用；"
                   "可接受：image.name 的最后一段不是 "
                   "{taken}（它决定目录名）",
    "files.same_name": "{value} 和 {other} 都会被复制到 {path}；可接受：最后一段名称各不相同的条目",
    "files.link": "{value} 是符号链接（指向 {target}）：Docker 只会发送链接本身而不是它指向的内容；"
                  "可接受：文件或文件夹本身",
    "files.kind": "{value} 是{kind}；可接受：普通文件或文件夹",
    "files.inner_link": "{value} 中的符号链接 {link} 指向 {value} 之外的 {target}："
                        "在镜像里它会指向不存在的文件或镜像自己的文件；"
                        "可接受：留在 {value} 之内的相对链接",
    "files.inner_kind": "{value} 中有 {path}，它是{kind}；可接受：{value} 内的普通文件、文件夹和链接",
    "files.nothing": "无（app.files 为空）",
    "files.not_brought": "{path} 不是 app.files 复制到 {folder} 的内容（{brought}）；可接受：其中某一项之下的路径，"
                         "如 app.files = [\"tool\"] 配合 {folder}/tool/bin/start",
    "files.missing": "{path} 对应构建目录中的 {src}，但 {entry} 中没有它；可接受：{entry} 中某个文件的路径",
    "files.not_executable": "{path} 对应构建目录中的 {src}，它没有可执行权限（镜像保留构建目录中的权限）；"
                            "可接受：可执行的程序"
                            "（chmod +x {src}），或先写解释器（sh {path}、java -jar ...）",
    "files.other_opt": "{path} 在 /opt 下，但 app.files 复制到 {folder}（目录名取自 image.name）；"
                       "可接受：{folder}/ 下的程序",
    "cross.no_key_shell": "命令行镜像默认开启 SSH，公钥登录需要你的 OpenSSH 公钥；可接受：[ssh] authorized_key = \"ssh-ed25519 AAAA...\" 或 .pub "
                          "文件的路径（如 \"~/.ssh/id_ed25519.pub\"），或 auth = \"password\"（启动时从 SSH_PASSWORD 读取），或 enabled = "
                          "false 不使用 SSH",
    "cross.no_key": "ssh.enabled 已开启，公钥登录需要你的 OpenSSH 公钥；可接受：[ssh] authorized_key = \"ssh-ed25519 AAAA...\" 或 .pub 文件的路径（如 "
                    "\"~/.ssh/id_ed25519.pub\"），或 auth = \"password\"（启动时从 SSH_PASSWORD 读取），或 enabled = false 不使用 SSH",
    "torch.python": "torch {torch} 只有 Python {lo}-{hi} 的 wheel，而镜像的 Python 是 {python}；可接受：{fits}",
    "torch.ascend": "昇腾上的 PyTorch 需要与宿主机 CANN 匹配的 torch_npu，imgwizard 不安装它；gpu.vendor = ascend 时可接受：gpu.pytorch 留空（在容器内按 "
                    "hiascend 文档安装 torch_npu），或 gpu.cuda = cpu 使用仅 CPU 的 torch",
    "torch.no_variant": "torch {torch} 没有 {variant} 版本；可接受：{variants} 或留空",
    "torch.no_aarch64": "torch {torch} {variant} 没有 aarch64 的 wheel（pip 会退回 PyPI 上的 CPU 版 torch）；arm64 上可接受：{variants}",
    "torch.needs_nvidia": "{variant} 需要 NVIDIA 显卡；gpu.vendor 不是 nvidia 时可接受：cpu 或留空",
    "torch.driver_floor": "{variant} 需要驱动 >= {floor}（CUDA 小版本兼容），而驱动是 {driver}；可接受：更低的 CUDA 版本、cpu 或留空",
    "torch.compat_only": "gpu.cuda {variant} 要求驱动 >= {minimum}；驱动 {driver} 只能靠 CUDA 小版本兼容运行它（需要更新驱动的内核会失败，如 PTX JIT）：建议升级驱动",
    "torch.no_aarch64_cuda": "torch {torch} 没有 aarch64 的 CUDA wheel；arm64 上可接受：有 aarch64 CUDA wheel 的版本（{releases}），或 "
                             "gpu.cuda = cpu",
    "torch.needs_driver": "torch {torch} 的 CUDA 版本取决于宿主机驱动；可接受：GPU 宿主机上 nvidia-smi 显示的版本，或 gpu.cuda 取 {variants} 或 cpu",
    "torch.but_compat": "gpu.cuda = {variants}（仅靠 CUDA 小版本兼容运行）或 cpu",
    "torch.no_cuda_for_driver": "torch {torch} 没有适合驱动 {driver} 的 CUDA 版本（{variant} 需要 >= {minimum}）；可接受：更早的版本、更新的宿主机驱动，"
                                "或 {but}",
    "io.no_user": "{text}：本机没有用户 {quoted}，无法展开 ~{user}",
    "io.symlink": "{path} 是符号链接；可接受：普通文件",
    "io.cannot_read": "无法读取 {path}：{why}",
    "io.not_regular": "{path} 是{kind}；可接受：普通文件",
    "io.too_big": "{path} 有 {size} 字节；可接受：此文件最多 {limit} 字节",
    "io.more_than": "{path} 超过 {limit} 字节；可接受：此文件最多 {limit} 字节",
    "io.not_utf8": "{path} 不是 UTF-8 文本（第 {byte} 字节，第 {line} 行）；可接受：UTF-8 文本文件",
    "io.leaves": "{folder} 中的 {relative} 是指向构建目录之外 {target} 的符号链接，Docker 无法发送它；可接受：文件本身（或指向目录内的链接）",
    "io.cannot_look": "无法查看 {path}：{why}",
    "io.link_out": "{path} 是指向 {folder} 之外 {target} 的符号链接；imgwizard 不会通过它写入：请删除该链接或换一个目录",
    "io.not_replaceable": "{path} 是{kind}；可接受：普通文件或该处没有文件（请把它移走或换一个目录）",
    "io.cannot_write_in": "无法在 {folder} 中写入 {name}：{why}",
    "io.cannot_write": "无法写入 {path}：{why}",
    "io.log_refused": "{path} {problem}；imgwizard 不会写入它：可接受：普通文件或日志的新文件名",
    "io.is_link": "是符号链接",
    "io.is_kind": "是{kind}",
    "io.hard_links": "还有其他名字（硬链接）",
    "io.nothing_changed": "{problem}；没有做任何改动（没有替换文件，也没有生成备份）",
    "io.cannot_use": "无法把 {path} 用作构建目录：{why}",
    "io.not_folder": "{path} 是{kind}；可接受：用作构建目录的文件夹（不存在时会创建）",
    "io.cannot_create": "无法创建目录 {folder}：{why}；没有写入任何文件",
    "io.cannot_write_into": "无法写入 {folder}：{why}",
    "io.nul": "{text}：目录名不能含 NUL 字符",
    "kind.folder": "目录",
    "kind.fifo": "命名管道（FIFO）",
    "kind.char_device": "字符设备",
    "kind.block_device": "块设备",
    "kind.socket": "套接字",
    "kind.other": "其他非普通文件",
    "kind.file": "文件",
    "os.eacces": "权限不足",
    "os.eperm": "不允许的操作",
    "os.enoent": "没有该文件或目录",
    "os.enotdir": "不是目录",
    "os.eisdir": "是一个目录",
    "os.enospc": "设备上没有剩余空间",
    "os.erofs": "只读文件系统",
    "os.edquot": "超出磁盘配额",
    "os.enametoolong": "文件名太长",
    "os.eloop": "符号链接层数过多",
    "os.eexist": "文件已存在",
    "plan.base_release": "os.base_release 使用 FROM {repository}:{release}；相关事实（账号文件、apt 软件源、辅助命令、"
                         "uid 1000）是在 {pinned} 而不是 {release} 上核实的：使用前请先运行 `imgwizard bases check "
                         "{repository}:{release}`",
    "plan.desktop_auth_off": "desktop.auth 已关闭：任何能访问发布端口的人都能进入桌面",
    "plan.app_auth_off": "app.auth 已关闭：任何能访问端口 {port} 的人都能以 {user} 身份在容器中运行代码",
    "plan.plain_http": "{key} {url} 是明文 http：pip 会信任 {host}（PIP_TRUSTED_HOST），软件包不经加密也不经校验地传输；建议使用 https:// 索引",
    "plan.registry_left_alone": "mirror.registry {mirror} 只代理 Docker Hub 的镜像：FROM {ref} 仍从 {registry} "
                                "拉取（Docker Hub 的镜像仓库不能提供其他仓库的镜像）；如果 Docker 引擎访问不了 {registry}，"
                                "请在 os.base_image 中填写引擎能访问的副本",
    "plan.copied_from_host": "从宿主机的 {path} 复制",
    "plan.the_hosts": "宿主机的 {path}",
    "plan.file.nvidia_run": "与宿主机版本完全一致的 NVIDIA 驱动安装程序",
    "plan.file.jetbrains": "你下载的 JetBrains Linux 安装包",
    "plan.file.binary": "二进制程序（为 scratch 静态链接）",
    "plan.file.app_files": "应用自己的文件或文件夹，复制到 {path}",
    "plan.file.python_deps": "项目的依赖文件，在代码复制到 {path} 之前安装",
    "plan.file.python_code": "启动命令运行的文件：项目代码即构建目录中除 .dockerignore 所列之外的全部内容，复制到 {path}",
    "plain.interrupted": "\n已中断：没有写入任何文件。",
    "plain.no_terminal": "imgwizard --plain：没有可提问的终端：请用 `imgwizard render ANSWERS -o DIR`，或在终端中运行",
    "plain.nothing_written": "没有写入任何文件。",
    "plain.overwrite": "  将覆盖 {name}（旧文件保留为 {backup}）",
    "plain.write": "写入 {count} 个文件到 {folder}？",
    "plain.cannot_write": "无法写入 {folder}：{why}",
    "plain.wrote": "已写入 {folder}：{files}",
    "plain.nothing_new": "无变化",
    "plain.todo": "待办：把 {name} 放入 {folder}（{what}）",
    "plain.build_it": "构建：imgwizard build {folder} -t {image}",
    "plain.save_in": "构建目录保存到：",
    "plain.cannot_save": "  ✗ 无法保存到这里：{why}；请换一个目录",
    "plain.other": "其他（手动输入）",
    "plain.empty": "（空）",
    "plain.yes": "是",
    "plain.no": "否",
    "plain.back": "← 返回上一题",
    "plain.back_hint": "（输入 < 并回车：返回上一题）",
    "plain.select_hint": "（用方向键选择，回车确认）",
    "plain.first": "  这已经是第一题，无法再返回。",
    "plain.only": "  {label}：{value}（此处只有这一个选项）",
    "found.title": "在当前目录发现以下内容（已预先填入，可随时修改）：",
    "found.line": "  ⌂ {key} = {value}：{why}",
    "ui.save.will_write": "将写入：",
    "ui.save.will_overwrite": "将覆盖 ",
    "ui.save.kept_as": "{name}（旧文件保留为 {backup}）",
    "ui.save.unchanged": "未改变：",
    "ui.save.to_place": "还需放入：",
    "ui.save.file_what": "{name}（{what}）",
    "ui.save.title": "检查并保存构建目录（回车保存）",
    "ui.save.folder": "目录：",
    "ui.save.looking": "正在查看目录...",
    "ui.save.saving": "正在保存到 {folder}...",
    "ui.saved.title": "已保存",
    "ui.saved.nothing": "没有变化",
    "ui.jump.save": "还不能保存",
    "ui.jump.build": "还不能构建",
    "ui.jump.keys": "回车：前往“{step}”这一步   Esc：留在这里",
    "ui.tag.title": "构建镜像",
    "ui.tag.label": "标签（名称:标签）：",
    "ui.tag.refused": "✗ 标签：{problem}",
    "ui.confirm.keys": "y：是   n / Esc：否",
    "ui.quit.unsaved": "有未保存的修改。不保存就退出吗？",
    # ---- 构建前：引擎能否拿到基础镜像（wizard/engine/pull_check.py）
    "pull.hub": "Docker 引擎访问不了 Docker Hub，无法拉取 {ref}（{why}）：请把 mirror.registry（软件源步骤）设为引擎能访问的"
                "镜像仓库并重新生成，或在引擎的 /etc/docker/daemon.json 中设置 registry-mirrors",
    "pull.mirror": "Docker 引擎访问不了镜像仓库 {mirror}（mirror.registry），无法拉取 {ref}（{why}）：请把 mirror.registry"
                   "（软件源步骤）设为引擎能访问的镜像仓库并重新生成，或清空它改从 Docker Hub 拉取",
    "pull.other": "Docker 引擎访问不了 {registry}，无法拉取 {ref}（{why}）：mirror.registry 只代理 Docker Hub 的镜像；"
                  "请在 os.base_image 中填写引擎能访问的副本并重新生成",
    "pull.no_answer": "{seconds} 秒内没有应答",
    "pull.pulls": "引擎上还没有基础镜像 {ref}：构建时从 {registry} 拉取",
    "ui.build.title": "正在从 {folder} 构建 {tag}（完整日志：{log}）",
    "ui.build.no_log": "不写 build.log：{why}",
    "ui.build.no_end": "构建程序停止了，但没有报告镜像已构建完成",
    "ui.build.log_stopped": "build.log 已停止写入：{why}",
    "ui.build.sending": "正在发送构建上下文：{sent} / {total}",
    "ui.build.no_layers": "无法显示各层：{why}",
    "ui.build.layers": "各层大小（从大到小）",
    "ui.build.in_all": "{size} 合计",
    "ui.build.built": "✓ 已构建 {tag}。接下来：",
    "ui.build.next_step": "{what}：",
    "ui.build.run_it": "运行",
    "ui.build.check_it": "检查服务是否响应",
    "ui.build.export_it": "导出为 tar 文件",
    "ui.build.q_closes": "按 q 关闭。",
    "ui.build.cancelled": "构建已取消：引擎停在当前步骤。按 q 关闭。",
    "ui.build.at_step": "第 {step}/{total} 步：{text}",
    "ui.build.before_first": "第一步之前",
    "ui.build.failed_at": "✗ 失败于 {where}",
    "ui.build.full_log": "完整日志：{log}。按 q 关闭。",
    "ui.build.step_of": "第 {step}/{total} 步",
    "ui.build.step_none": "第 -/- 步",
    "ui.build.elapsed": "已用 {time}",
    "ui.build.left": "约剩 {time}",
    "ui.build.estimate_later": "第一步后估计剩余时间",
    "ui.build.state.running": "构建中",
    "ui.build.state.done": "已完成",
    "ui.build.state.failed": "失败",
    "ui.build.state.cancelled": "已取消",
    "ui.build.cancelling": "正在取消...",
    "ui.build.cannot": "无法构建",
    "ui.build.files_first": "请先放入这些文件",
    # an ASCII ": " after the path: with "：" the path and "Dockerfile" were one word to the line wrapping,
    # which cut it mid-word in the dialog (tests/test_texts_issue29.py)
    "ui.build.file_copied": "{path}: Dockerfile 需要复制它（见该目录的 README.md）",
    "ui.engine.ready": "Docker 引擎：可用（F5 构建）",
    "ui.engine.none": "Docker 引擎没有响应：仍可保存；按 F5 查看如何启动",
    "ui.engine.remote": "Docker 引擎 {origin}：可用（F5 在其上构建；⌂ 值来自该主机）",
    "ui.wizard.check_failed": "后台检查失败",
    "ui.wizard.fix_first": "请先修正本步",
    "ui.wizard.not_remembered": "此设置仅本次有效",
    "ui.settings.cannot": "{path}：{why}",
    "ui.help.title": "imgwizard 按键",
    "ui.auth_off.desktop": "⚠ 桌面密码已关闭：任何能访问发布端口的人都能使用这个桌面。",
    "ui.auth_off.app": "⚠ 应用认证已关闭：任何能访问该端口的人都能在容器里运行代码。",
    "ui.blocked.line": "✗ 保存和构建要等“{step}”这一步改好：{what} —— 按 F6 前往",
    "ui.blocked.no_context": "无法生成构建目录",
    "ui.review.warnings": "警告",
    "ui.review.files": "构建前需要放入目录的文件",
    "ui.review.answers": "全部答案（按步骤）",
    "ui.review.none": "无",
    "ui.review.yes": "是",
    "ui.review.no": "否",
    "ui.field.free_release": "或输入其他版本，如 2.5.1",
    "ui.field.free_mirror": "或输入镜像地址，如 https://mirrors.example.org",
    "ui.field.free_other": "或输入其他值",
    "ui.field.no_typing": "此处用 ↑ ↓ 选择（高亮的即为答案）；输入字母不会选择",
    "ui.field.count": "{every} 个中的 {shown} 个",
    "ui.field.no_match": "没有匹配项",
    "ui.field.filter": "筛选：{text} — {count}（Backspace 删除，Esc 清除）",
    "ui.field.paste_long": "粘贴的文本有 {count} 个字符；可接受：最多 {max} 个。未粘贴任何内容",
    "ui.field.paste_lines": "粘贴的文本有 {count} 行；可接受：一行。未粘贴任何内容",
    "ui.field.not_pasted": "未粘贴",
    "ui.too_small": "终端只有 {width}x{height}：请放大到至少 {min_width}x{min_height}（80x24 以上最佳），"
                    "或运行 imgwizard --plain",
    "ui.answers.dropped": "从 {source} 读取时被丢弃的答案",
    "answers.dropped": "指向文件夹之外的文件（{value}）：已丢弃；从镜像读取的答案只能指向文件夹内的文件（不含 .. 的相对路径）",
    "cli.answers.output_folder": "-o {path} 是目录；可接受：新文件的名称，如 {example}",
    "ui.preview.not_part": "（这些答案不需要 {name}）",
    "ui.preview.lint": "检查结果",
    "ui.preview.no_findings": "没有问题：解析器和 hadolint 都接受这个 Dockerfile。",
    "ui.preview.finding": "第 {line} 行 {level} {code}：{message}",
    "ui.help.body": (
        "在中间回答问题；右侧构建目录随每次修改更新（改动行高亮，F3 查看其他文件和检查结果）。\n\n"
        "  ↑ ↓ / j k    在选项间移动（高亮的即为答案）\n"
        "  Enter        下一个问题；最后一个问题时进入下一步\n"
        "  Tab          下一个输入框\n"
        "  Ctrl+N       下一步（本步有错误时不能前进）\n"
        "  Esc          上一步\n"
        "  F2           步骤列表：用 ↑ ↓ 和 Enter 跳转\n"
        "  F3           下一个预览文件（Dockerfile、入口脚本、compose.yaml、run.sh、答案文件、检查结果）\n"
        "  F4           中文 / English\n"
        "  Ctrl+S       保存构建目录（询问目录，显示将覆盖的文件，保留 NAME.bak 备份）\n"
        "  F5           用 Docker 构建镜像（先保存；Esc 取消构建）\n"
        "  F6           前往让保存和构建无法进行的那一步\n"
        "  F7           预览：长行换行或左右滚动（会记住）\n"
        "  F1           帮助\n"
        "  Ctrl+Q       退出（有未保存的修改时会询问）\n\n"
        "⌂ 表示从本机检测到的值，仅作建议。"
    ),
    "key.Next": "下一步",
    "key.Back": "上一步",
    "key.Steps": "步骤",
    "key.Files": "文件",
    "key.Save": "保存",
    "key.First step": "第一步",
    "key.Last step": "最后一步",
    "key.Go there": "前往",
    "key.Go to the problem": "转到问题处",
    "key.Stay": "留在这里",
    "key.Wrap/scroll": "换行/滚动",
    "key.Build": "构建",
    "key.中文/English": "中文/English",
    "key.Help": "帮助",
    "key.Quit": "退出",
    "key.Cancel build": "取消构建",
    "key.Close": "关闭",
    "key.Cancel": "取消",
    "key.Yes": "是",
    "key.No": "否",
    "key.Down": "向下",
    "key.Up": "向上",
}

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def tr(msg_id: str, lang: str = "en", /, **params: Any) -> str:
    """The message `msg_id` of the table of `lang` (English for an unknown language), with its parameters."""
    table = TABLES.get(lang, EN)
    return table[msg_id].format(**{name: in_lang(value, lang) for name, value in params.items()})


def in_lang(value: Any, lang: str) -> Any:
    """A Msg or a T in `lang`; anything else unchanged."""
    if isinstance(value, Msg):
        return value.in_lang(lang)
    return value(lang) if isinstance(value, T) else value


def params_of(template: str) -> set[str]:
    """The {names} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Msg(str):
    """A message of the tables that reads as its English text (see the module docstring)."""

    msg_id: str
    params: dict[str, Any]

    def __new__(cls, msg_id: str, /, **params: Any) -> "Msg":
        self = super().__new__(cls, tr(msg_id, "en", **params))
        self.msg_id, self.params = msg_id, params
        return self

    def in_lang(self, lang: str) -> str:
        return tr(self.msg_id, lang, **self.params)

    def __reduce__(self) -> tuple:  # copy and pickle rebuild it from its id, not from its English text
        return _rebuild, (self.msg_id, self.params)


def replaced(value: Any, old: str, new: str) -> Any:
    """`value` with `old` replaced by `new` in its text: in each parameter of a Msg (a number stays a number; a
    parameter that is `old` becomes `new` itself, a Msg staying one), else in the str of a str or a path."""
    if isinstance(value, Msg):
        return Msg(value.msg_id, **{k: replaced(v, old, new) for k, v in value.params.items()})
    if isinstance(value, (int, float)):
        return value
    return new if str(value) == old else str(value).replace(old, new)


def _rebuild(msg_id: str, params: dict[str, Any]) -> Msg:
    return Msg(msg_id, **params)


def pick_lang(env: dict[str, str], override: str | None = None) -> str:
    """'zh' or 'en': the override if given, else from LANGUAGE / LC_ALL / LANG."""
    if override in LANGS:
        return override
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


# ------------------------------------------------------------------ text from outside

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional formatting characters (the
# "Trojan Source" set: LRM, RLM, ALM, LRE..RLO, LRI..PDI): none of them may reach a terminal from outside.
_BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_BUT_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}]")
_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")  # rich.markup.escape's pattern (rich 13-15)


def safe_to_show(value: object, lines: bool = False, markup: bool = True) -> str:
    """Text that did not come from imgwizard, made safe to write to a terminal, a log or a Textual widget:
    every control character (C0, C1, DEL), line or paragraph separator and bidirectional formatting character
    is shown escaped (`\\x1b`, `\\u202e`), so no escape sequence, OSC (title, clipboard), carriage return or
    reordering reaches the screen; and Rich markup is escaped as rich.markup.escape does (without importing
    rich: the core stays free of UI libraries), so `[/]` or `[link=...]` shows as written. `lines` keeps line
    breaks (a multi-line engine error printed as lines); each line is made safe the same way.

    `markup=False` where no markup is read (a print, a log file, a Rich Text, an exception message that a screen
    escapes again where it shows it as markup): the controls are escaped, `[notice]` stays as written. That half
    is idempotent, so text made safe at its source (wizard/engine/) can go through again where it is shown; the
    markup half is not, so it is applied once, where markup is read."""
    text = value if isinstance(value, str) else str(value)
    unsafe = _UNSAFE_BUT_LINES if lines else _UNSAFE
    text = unsafe.sub(_escaped_char, text)
    if not markup:
        return text
    text = _MARKUP_TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text


def _escaped_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
