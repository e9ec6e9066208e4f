"""What the task service tests share: Pulumi mocks that record what is registered (by name, the remote
commands in order; a health step answers with a report), a target, the files under a fixtures folder, a
service's metadata checked, the check tables' ids, a config model's undocumented fields, and a component
refused at preview before registering anything."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_command import remote

from provisioning.sdk.taskservice import InvalidConfig, Target

HEALTH_REPORT = (
    "check\tservice\tpass\tcustomdb is running\t2026-01-01T00:00:00Z\n"
    "check\tconnect\tpass\tSELECT 1 over TLSv1.3 to 10.0.0.5:5432 as postgres\t2026-01-01T00:00:00Z\n"
    "fact\tversion\t15.18\n"
)


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registered resource; commands named `*-health` print `HEALTH_REPORT`."""

    def __init__(self) -> None:
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append(args)
        outputs = dict(args.inputs)
        if args.typ == "command:remote:Command":
            outputs["stdout"] = HEALTH_REPORT if args.name.endswith("-health") else ""
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        return {}, None

    @property
    def by_name(self) -> dict[str, pulumi.runtime.MockResourceArgs]:
        """Every registered resource by its name."""
        return {args.name: args for args in self.created}

    @property
    def commands(self) -> list[str]:
        """The names of the registered remote commands, in the order they were registered."""
        return [args.name for args in self.created if args.typ == "command:remote:Command"]


def target(address: str, user: str = "root") -> Target:
    """A target with a fixed connection (no server, no ssh-keyscan)."""
    connection = remote.ConnectionArgs(
        host=address, user=user, private_key=pulumi.Output.secret("not-a-key"), host_key="ssh-ed25519 AAAA"
    )
    return Target(address, connection, address, user)


def build_database(values: dict[str, Any], *, replicas: int = 0) -> Any:
    """A CustomDatabase `db` on 10.0.0.5 (replicas on 10.0.0.6, …) with `values` as its config."""
    from provisioning.components.taskservs.custom_database import CustomDatabase

    return CustomDatabase(
        "db",
        values,
        target=target("10.0.0.5"),
        admin_password=pulumi.Output.secret("s3cret-password"),
        replicas=[target(f"10.0.0.{6 + i}") for i in range(replicas)],
    )


def assert_service(metadata: dict[str, Any], name: str, category: str, ports: list[int]) -> None:
    """A task service's `service_metadata` names the service, its category and its ports."""
    assert (metadata["name"], metadata["category"], metadata["ports"]) == (name, category, ports)


def case_ids(cases: Sequence[tuple[Any, ...]]) -> list[str]:
    """`field=value` of each `(values, field, value, rule)` case of a check table."""
    return [f"{case[1]}={case[2]!r}" for case in cases]


def undocumented_fields(model: type) -> list[str]:
    """`Model.field` of every field of `model` (and of the models it nests) without a docstring."""
    missing = []
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        if not info.description:
            missing.append(f"{model.__name__}.{name}")
        if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields"):
            missing += undocumented_fields(info.annotation)
    return missing


def refused(build: Callable[[], object]) -> InvalidConfig:
    """The `InvalidConfig` that `build()` (a component's constructor) raises at preview under mocks, having
    registered nothing."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=True)
    try:
        with pytest.raises(InvalidConfig) as raised:
            build()
    finally:
        pulumi.runtime.settings.reset_options()
    assert mocks.created == [], f"registered despite the bad config: {[m.name for m in mocks.created]}"
    return raised.value


def files_under(root: Path) -> dict[str, str]:
    """Every file below `root` by its path on a host (`/etc/…`) → its text: a rendered-files fixture."""
    return {"/" + str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}
