"""HAProxy's rendered files against fixtures (`fixtures_haproxy/<scenario>/<path on the host>`), checked
with `haproxy -c` where HAProxy is installed; its step scripts are valid POSIX sh; the component
registers its steps under Pulumi mocks with the base's outputs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.haproxy.render import config_files, scripts
from provisioning.components.taskservs.haproxy.spec import HAProxyConfig
from tests.support.tools import accepted, assert_posix_sh, require_tool

from .mocks import RecordingMocks, assert_service, files_under, target

FIXTURES = Path(__file__).with_name("fixtures_haproxy")
WEB = [
    {"name": "web-1", "address": "10.0.0.5", "port": 8080},
    {"name": "web-2", "address": "10.0.0.6", "port": 8080},
]
SCENARIOS: dict[str, HAProxyConfig] = {
    "defaults": HAProxyConfig(name="lb", backends=WEB),
    "tuned": HAProxyConfig(
        name="edge",
        port=8080,
        backends=[*WEB, {"name": "api", "address": "api.internal", "port": 9000}],
        health_check_path="/-/ready",
        monitor_path="/-/ready",
        check_interval="500ms",
        stats={"port": 9999, "path": "/haproxy"},
    ),
    "no-stats": HAProxyConfig(name="lb", backends=WEB[:1], stats={"enabled": False}),
    "tls": HAProxyConfig(
        name="shop-lb",
        backends=WEB,
        fall=3,
        rise=1,
        retries=2,
        ssl={"enabled": True, "port": 8443, "subject_alt_names": ["shop.example"]},
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    assert config_files(SCENARIOS[scenario]) == files_under(FIXTURES / scenario)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_haproxy_accepts_the_rendered_config(scenario: str, tmp_path: Path) -> None:
    text = config_files(SCENARIOS[scenario])["/etc/haproxy/haproxy.cfg"]
    if SCENARIOS[scenario].ssl.enabled:
        # haproxy -c loads the certificate: one made here stands for the host's
        pem = tmp_path / "haproxy.pem"
        openssl = require_tool("openssl", "openssl")
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=localhost", "-keyout", str(pem), "-out", str(tmp_path / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        pem.write_text((tmp_path / "cert.pem").read_text() + pem.read_text())
        text = text.replace("/etc/haproxy/ssl/haproxy.pem", str(pem))
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    accepted("haproxy", "haproxy", "-c", "-f", str(cfg))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_step_scripts_are_posix_sh(scenario: str) -> None:
    for name, found in scripts(SCENARIOS[scenario]).items():
        for script in (found.run, found.delete):
            if script is not None:
                assert_posix_sh(name, script)


def test_the_configure_script_checks_the_config_before_replacing_it() -> None:
    configure = scripts(SCENARIOS["defaults"])["configure"].run
    check = configure.index("haproxy -c -q -f /etc/haproxy/haproxy.cfg.new")
    assert check < configure.index("mv -f /etc/haproxy/haproxy.cfg.new /etc/haproxy/haproxy.cfg")
    health = scripts(SCENARIOS["defaults"])["health"].run
    assert "http://127.0.0.1:8404/stats;csv" in health
    assert "http://127.0.0.1:8404/metrics" in health and "tls()" not in health


def test_tls_makes_a_self_signed_certificate_before_the_check() -> None:
    configure = scripts(SCENARIOS["tls"])["configure"].run
    made = configure.index(
        'self_signed_certificate "$key" "$cert" "$(host_subject_alt_names shop.example)" root:root'
    )
    joined = configure.index('cat "$cert" "$key" | put_file /etc/haproxy/ssl/haproxy.pem 0600 root:root')
    assert made < joined < configure.index("haproxy -c -q -f /etc/haproxy/haproxy.cfg.new")
    health = scripts(SCENARIOS["tls"])["health"].run
    assert "--cacert /etc/haproxy/ssl/server.crt https://127.0.0.1:8443/" in health
    assert "self_signed_certificate" not in scripts(SCENARIOS["defaults"])["configure"].run


def test_the_self_signed_certificate_names_the_host(tmp_path: Path) -> None:
    """The shared TLS helpers, run here: the certificate names the given names, this machine's addresses,
    127.0.0.1, localhost and its hostname; curl verifies it; a second run keeps it."""
    from provisioning.sdk.taskservice.templates import TemplateLibrary

    require_tool("openssl", "openssl")
    library = TemplateLibrary(FIXTURES)
    helpers = library.render("taskservice/lib.sh.j2", step="test", service="tls") + library.render(
        "taskservice/tls.sh.j2"
    )
    key, cert = tmp_path / "server.key", tmp_path / "server.crt"
    script = (
        helpers
        + 'san=$(host_subject_alt_names shop.example 10.9.8.7)\necho "$san"\n'
        + f'self_signed_certificate {key} {cert} "$san" "$(id -u):$(id -g)"\n'
        + f'self_signed_certificate {key} {cert} "$san" "$(id -u):$(id -g)"\n'
    )
    done = subprocess.run(["sh", "-eu", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    san = done.stdout.splitlines()[0]
    assert san.startswith("DNS:shop.example,IP:10.9.8.7,") and "IP:127.0.0.1,DNS:localhost," in san
    assert done.stdout.count("made a self-signed certificate") == 1
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(cert)], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "DNS:shop.example, IP Address:10.9.8.7" in text and "IP Address:127.0.0.1, DNS:localhost" in text


@pulumi.runtime.test
def test_the_component_registers_its_steps_and_outputs(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.haproxy import HAProxy

    lb = HAProxy("lb", {"backends": WEB}, target=target("10.0.0.9"))

    def check(values: list[Any]) -> None:
        endpoint, healthy, metadata = values
        assert endpoint == "10.0.0.9:80" and healthy is True
        assert_service(metadata, "haproxy", "load-balancer", [80, 8404])
        by_name = mocks.by_name
        assert by_name["lb"].typ == "provisioning:taskservs:HAProxy"
        assert mocks.commands == ["lb-remove", "lb-install", "lb-configure", "lb-health"]
        assert "server web-2 10.0.0.6:8080 check" in by_name["lb-configure"].inputs["create"]
        assert "delete" in by_name["lb-remove"].inputs

    return pulumi.Output.all(lb.endpoint, lb.healthy, lb.service_metadata).apply(check)
