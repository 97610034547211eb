"""network.extra_ca on the real engine: only the certificates of the file reach the image, and the image trusts
them (issue 9, item 3). A file with a private key is refused before anything is written: tests/test_hostile.py."""

from __future__ import annotations

import pytest

from tests.answer_space import CA
from tests.answers_kit import answers_toml
from tests.docker.conftest import build_scenario

pytestmark = pytest.mark.docker

# Text and PEM blocks around the certificate that must stay out of the image (Latin-1 bytes included).
NOISE_BEFORE = b"Corporate proxy bundle, caf\xe9 edition\n"
CRL = b"-----BEGIN X509 CRL-----\nMIIBfakecrlbodyfakecrlbody\n-----END X509 CRL-----\n"
ANSWERS = answers_toml("extra-ca", network={"extra_ca": "bundle.pem"})


def test_only_the_certificates_reach_the_image_and_it_trusts_them(docker_client, scenario_dir, images_to_remove):
    folder = scenario_dir / "extra-ca"
    folder.mkdir()
    (folder / "bundle.pem").write_bytes(NOISE_BEFORE + CA.read_bytes() + CRL)
    built = build_scenario(docker_client, folder, "extra-ca", ANSWERS)
    images_to_remove.append(built.tag)
    cert = CA.read_text().strip()
    copied = docker_client.containers.run(
        built.tag, ["cat", "/usr/local/share/ca-certificates/imgwizard-extra-ca.crt"], remove=True).decode()
    assert copied == cert + "\n"
    bundle = docker_client.containers.run(built.tag, ["cat", "/etc/ssl/certs/ca-certificates.crt"], remove=True)
    assert cert.encode() in bundle and b"X509 CRL" not in bundle and b"caf" not in bundle

