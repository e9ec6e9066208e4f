"""A Pulumi project on a local Custom Cloud, for the e2e tests: the project written here or copied, configured
for the cloud (API URL and key, an SSH key pair, secrets from stdin), deployed and destroyed at the end; SSH
to its servers with host keys checked against the API's fingerprints; waiting for a probe. Secrets never reach
a message."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import PulumiProject

from .ssh import Ssh, keypair

__all__ = [
    "CloudStack",
    "cloud_stack",
    "command_ops",
    "deployed",
    "inline_project",
    "planned_changes",
    "secret_from_stdin",
    "wait_for",
]

S = TypeVar("S", bound="CloudStack")


def secret_from_stdin(project: PulumiProject, key: str, value: str) -> None:
    """`pulumi config set --secret key` with the value on stdin (never on a command line or in a message)."""
    done = subprocess.run(
        ["pulumi", "config", "set", "--secret", key, "--stack", project.stack, "--non-interactive"],
        cwd=project.workdir, env=project._environment(), input=value, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"pulumi config set --secret {key}: exit {done.returncode}"


@dataclass
class CloudStack:
    """One stack on a local Custom Cloud: the project, the cloud and its API, SSH to the servers, the folder
    holding them (`tmp`) and the private key (never printed)."""

    project: PulumiProject
    cloud: CloudHandle
    api: httpx.Client
    ssh: Ssh
    tmp: Path
    private_key: str = field(repr=False)

    def outputs(self) -> dict[str, Any]:
        return self.project.outputs()

    def instance(self, iid: str) -> dict[str, Any]:
        return dict(self.api.get(f"/instances/{iid}").raise_for_status().json())

    def trust(self, iid: str) -> None:
        """Trust the server's host keys that match the API's fingerprints."""
        inst = self.instance(iid)
        self.ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])

    def sh(self, iid: str, command: str, *, check: bool = True) -> str:
        """Run `command` as root on the server; its stdout."""
        inst = self.instance(iid)
        return self.ssh.run(inst["ssh_host"], inst["ssh_port"], command, check=check)

    def sh_rc(self, iid: str, command: str) -> int:
        """The exit status of `command` on the server."""
        return int(self.sh(iid, f"{command} >/dev/null 2>&1; echo $?", check=False).strip())


def inline_project(tmp: Path, *, project: str, program: str) -> Path:
    """A folder `tmp/source` holding a Pulumi project: `project` as Pulumi.yaml, `program` as __main__.py."""
    source = tmp / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(project)
    (source / "__main__.py").write_text(program)
    return source


def cloud_stack(
    cloud: CloudHandle, tmp: Path, source: Path, *, namespace: str, stack_type: type[S],
    secrets: Mapping[str, str] | None = None, name: str = "proj", **fields: Any,
) -> S:  # fmt: skip
    """A copy of the project at `source` in `tmp/name` configured for `cloud` (not deployed yet): the API's
    URL and key, a fresh key pair as `<namespace>:sshPublicKey` and `<namespace>:sshPrivateKey`, then each
    of `secrets` (config key: value), all secrets from stdin. `fields` are `stack_type`'s own fields."""
    key, public = keypair(tmp)
    project = PulumiProject.copy_of(source, tmp / name, PROVISIONING_LOG_DIR=str(tmp / "logs"))
    project.config_set("custom-cloud:apiUrl", cloud.url)
    project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
    project.config_set(f"{namespace}:sshPublicKey", public)
    private_key = key.read_text()
    secret_from_stdin(project, f"{namespace}:sshPrivateKey", private_key)
    for config_key, value in (secrets or {}).items():
        secret_from_stdin(project, config_key, value)
    return stack_type(
        project=project, cloud=cloud, api=cloud.client(timeout=60), ssh=Ssh(key, tmp / "known_hosts"),
        tmp=tmp, private_key=private_key, **fields,
    )  # fmt: skip


@contextmanager
def deployed(
    made: S, *, trust: Callable[[dict[str, Any]], Iterable[str]], timings: dict[str, float], label: str,
    up: str = "up", after_destroy: Callable[[S], None] | None = None,
) -> Iterator[S]:  # fmt: skip
    """`made` deployed, the host keys of the servers `trust(outputs)` names trusted; destroyed at the end
    (then `after_destroy(made)`, when given), its API client closed. The first `up`'s time lands in
    `timings[up]`, the destroy's in `timings["destroy"]`; all of `timings` is printed as `label`."""
    try:
        started = time.monotonic()
        made.project.up()
        timings[up] = round(time.monotonic() - started, 1)
        for iid in trust(made.outputs()):
            made.trust(iid)
        yield made
    finally:
        try:
            started = time.monotonic()
            made.project.destroy()
            timings["destroy"] = round(time.monotonic() - started, 1)
            if after_destroy is not None:
                after_destroy(made)
        finally:
            made.api.close()
            print(f"\n{label} e2e timings (s): {json.dumps(timings)}")


def wait_for(
    what: str, probe: Callable[[], Any], seconds: float = 30, *, retry_on: tuple[type[Exception], ...] = ()
) -> Any:
    """`probe()` every half second until it returns something true (an exception of `retry_on` counting
    as not yet); that value. Fails naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = probe()
        except retry_on:
            found = None
        if found or time.monotonic() > deadline:
            assert found, f"{what}: not within {seconds} s"
            return found
        time.sleep(0.5)


def command_ops(preview: dict[str, Any], *, changed: bool = False) -> dict[str, str]:
    """The operation (`update`, `create`, `same`, …) of each step command a `pulumi preview --json` lists, by
    resource name; with `changed`, only those that do not stay the same."""
    return {
        step["urn"].rsplit("::", 1)[-1]: step["op"]
        for step in preview["steps"]
        if "command:remote:Command" in step["urn"] and not (changed and step["op"] == "same")
    }


def planned_changes(preview: dict[str, Any], plan: str) -> list[str]:
    """`planned_changes` of the task service plan resource `plan` (`<name>-plan`) as the preview knows it
    (its checked inputs); [] when the plan resource stays the same (no step's fingerprint changed)."""
    found = [s for s in preview["steps"] if s["urn"].endswith(f"TaskServicePlan::{plan}")]
    if not found:
        return []
    state = found[0].get("newState") or {}
    return list((state.get("outputs") or state.get("inputs") or {}).get("planned_changes") or [])
