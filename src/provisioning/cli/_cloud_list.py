"""`provisioning cloud list`: what a Custom Cloud project holds, as a table or JSON, from the API named by
the options, the stack config of the project in `--cwd`, or the environment (in that order)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioning.emulator.settings import DEFAULT_HOST, DEFAULT_PORT

from ._common import CliError
from ._stack import add_config_source, stack_config
from ._table import render_table

if TYPE_CHECKING:
    from provisioning.providers.custom_cloud.config import CustomCloudConfig

    from ._common import Subcommands

__all__ = ["add_list", "resolve_config"]

_PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


def add_list(sub: Subcommands) -> None:
    """Add `cloud list`."""
    listing = sub.add_parser(
        "list",
        help="the instances, networks, subnets, load balancers and volumes of a Custom Cloud project",
        description="List what the Custom Cloud project holds. The API URL and key come from --url and "
        "--key-file, else from the stack config of the Pulumi project in --cwd (custom-cloud:apiUrl, "
        "custom-cloud:apiKey), else from CUSTOM_CLOUD_API_URL and CUSTOM_CLOUD_API_KEY.",
    )
    listing.add_argument(
        "--url", help=f"the API's base URL, ending in /v1 (http://{DEFAULT_HOST}:{DEFAULT_PORT}/v1)"
    )
    listing.add_argument("--key-file", help="a file holding the API key (`cloud serve` writes one)")
    add_config_source(listing, cwd_help="the Pulumi project whose stack config is read (default: here)")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    listing.set_defaults(func=_list)


def _in_a_project(cwd: str) -> bool:
    folder = Path(cwd).resolve()
    return any((parent / name).is_file() for parent in (folder, *folder.parents) for name in _PROJECT_FILES)


def resolve_config(args: argparse.Namespace) -> CustomCloudConfig:
    """The config the options, the stack config and the environment give, in that order."""
    from provisioning.providers.custom_cloud.config import load_config
    from provisioning.sdk.errors import ConfigError

    config: dict[str, Any] = {}
    if args.stack or _in_a_project(args.cwd):
        config = stack_config(args.cwd, args.stack, show_secrets=True)
    if args.url:
        config["custom-cloud:apiUrl"] = args.url
    if args.key_file:
        try:
            config["custom-cloud:apiKey"] = Path(args.key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CliError(f"--key-file {args.key_file}: {exc.strerror}") from None
    try:
        return load_config(config, environ=os.environ)
    except ConfigError as exc:
        raise CliError(f"{exc.field}: {exc.rule}; or give --url and --key-file") from None


def _list(args: argparse.Namespace) -> int:
    from provisioning.providers.custom_cloud.client import CustomCloudClient
    from provisioning.providers.custom_cloud.inventory import inventory, inventory_rows
    from provisioning.sdk.errors import ProvisioningError

    config = resolve_config(args)
    try:
        with CustomCloudClient.from_config(config) as client:
            found = inventory(client)
    except ProvisioningError as exc:
        raise CliError(f"{config.api_url}: {exc}") from None
    if args.json:
        listed = {name: [item.model_dump(mode="json") for item in items] for name, items in found.items()}
        print(json.dumps({"api_url": config.api_url, **listed}, indent=2))
        return 0
    rows = inventory_rows(found)
    if not rows:
        print(f"{config.api_url}: nothing (no instances, networks, subnets, load balancers or volumes)")
        return 0
    headers = ("kind", "id", "name", "status", "zone/region", "detail")
    print(render_table(headers, [(r.kind, r.id, r.name, r.status, r.where, r.detail) for r in rows]))
    counts = ", ".join(f"{name} {len(items)}" for name, items in found.items())
    print(f"{config.api_url}: {counts}")
    return 0
