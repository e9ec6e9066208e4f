"""Everything HAProxy puts on a host, rendered from its templates (`templates/`): haproxy.cfg and the step
scripts (the service is Debian's haproxy.service). Pure: no Pulumi, no host."""

from __future__ import annotations

from pathlib import Path

from provisioning.sdk.taskservice.scripts import Scripts
from provisioning.sdk.taskservice.templates import TemplateLibrary

from .spec import METRICS_PATH, HAProxyConfig

__all__ = ["PACKAGES", "PATHS", "SERVICE", "Scripts", "config_files", "scripts"]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
"""HAProxy's templates with the shared step helpers."""
SERVICE = "haproxy"
"""The service's name: Debian's systemd unit `haproxy.service`."""
PACKAGES = ("haproxy", "curl", "openssl", "socat")
"""The OS packages it needs (installed when missing)."""
PATHS = {
    "conf_file": "/etc/haproxy/haproxy.cfg",
    "ssl_dir": "/etc/haproxy/ssl",
    "pem_file": "/etc/haproxy/ssl/haproxy.pem",
    "self_signed_cert": "/etc/haproxy/ssl/server.crt",
    "self_signed_key": "/etc/haproxy/ssl/server.key",
    "state_dir": "/var/lib/provisioning/haproxy",
    "admin_socket": "/run/haproxy/admin.sock",
    "server_state_file": "/var/lib/provisioning/haproxy/server-state",
    "restart_dropin": "/etc/systemd/system/haproxy.service.d/provisioning.conf",
}
"""Where its files go on the host."""


def config_files(config: HAProxyConfig) -> dict[str, str]:
    """Path on the host → content of every file HAProxy writes there."""
    return {
        PATHS["conf_file"]: TEMPLATES.render("haproxy.cfg.j2", c=config, metrics_path=METRICS_PATH, **PATHS),
    }


def scripts(config: HAProxyConfig) -> dict[str, Scripts]:
    """The step scripts: remove (armed; its delete removes haproxy), install, configure, health."""
    files = config_files(config)
    values = {"c": config, "files": files, "packages": PACKAGES, "metrics_path": METRICS_PATH, **PATHS}

    def step(name: str, template: str) -> str:
        return TEMPLATES.step(template, step=name, service=SERVICE, **values)

    return {
        "remove": Scripts(run=step("remove", "remove-armed.sh.j2"), delete=step("remove", "remove.sh.j2")),
        "install": Scripts(run=step("install", "install.sh.j2")),
        "configure": Scripts(run=step("configure", "configure.sh.j2")),
        "health": Scripts(run=step("health", "health.sh.j2")),
    }
