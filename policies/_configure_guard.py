"""Internal: pulumi-policy checks neither the rule names nor the settings of a local pack's configuration
(`--policy-pack-config`). This wraps its analyzer's `Configure` once, so a bad configuration fails the
preview naming the key, and its `GetAnalyzerInfo`, the first call, so does an entry naming an unknown rule
without `enforcementLevel`, which the CLI would refuse first as `invalid enforcement level ""`
(tests/unit/policies/test_config.py fails loudly if pulumi-policy changes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi_policy import policy as pulumi_policy_module

from ._cli_config import cli_pack_config
from .config import PackConfigError, check_pack_config, check_rule_names

_installed = False


def _as_dict(message: Any) -> dict[str, Any]:
    converted: dict[str, Any] = json_format.MessageToDict(message)
    return converted


def _refuse(context: Any, check: Callable[[], None]) -> None:
    """Abort the call, naming the key, when `check` raises `PackConfigError`."""
    try:
        check()
    except PackConfigError as exc:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"policy pack configuration: {exc}")  # raises


def guard_configure(settings: Mapping[str, Any], *, pack_dir: Path | None = None) -> None:
    """Make the analyzer refuse a configuration that `check_pack_config(…, settings)` refuses: the one the
    CLI sends, and first the files its command line gives the pack at `pack_dir` (default: the cwd)."""
    global _installed
    if _installed:
        return
    servicer = pulumi_policy_module._PolicyAnalyzerServicer
    original_configure = servicer.Configure
    original_info = servicer.GetAnalyzerInfo
    folder = pack_dir or Path.cwd()

    def configure(self: Any, request: Any, context: Any) -> Any:
        given = {k: _as_dict(v.properties) for k, v in request.policyConfig.items()}
        _refuse(context, lambda: check_pack_config(given, settings))
        return original_configure(self, request, context)  # type: ignore[no-untyped-call]

    def analyzer_info(self: Any, request: Any, context: Any) -> Any:
        # only the names: the CLI checks the rest of the files first, then `configure` does
        _refuse(context, lambda: check_rule_names(cli_pack_config(folder), settings))
        return original_info(self, request, context)  # type: ignore[no-untyped-call]

    setattr(servicer, "Configure", configure)  # noqa: B010 (class attributes of pulumi-policy's)
    setattr(servicer, "GetAnalyzerInfo", analyzer_info)  # noqa: B010
    _installed = True
