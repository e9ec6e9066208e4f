"""Internal: pulumi-policy checks neither the rule names nor the settings of a local pack's configuration
(`--policy-pack-config`). This wraps its analyzer's `Configure` once, so a bad configuration fails the
preview naming the key (tests/unit/policies/test_config.py fails loudly if pulumi-policy changes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi_policy import policy as pulumi_policy_module

from .config import PackConfigError, check_pack_config

_installed = False


def _as_dict(message: Any) -> dict[str, Any]:
    converted: dict[str, Any] = json_format.MessageToDict(message)
    return converted


def guard_configure(settings: Mapping[str, Any]) -> None:
    """Make the analyzer refuse a configuration that `check_pack_config(…, settings)` refuses."""
    global _installed
    if _installed:
        return
    servicer = pulumi_policy_module._PolicyAnalyzerServicer
    original = servicer.Configure

    def configure(self: Any, request: Any, context: Any) -> Any:
        given = {k: _as_dict(v.properties) for k, v in request.policyConfig.items()}
        try:
            check_pack_config(given, settings)
        except PackConfigError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"policy pack configuration: {exc}")  # raises
        return original(self, request, context)  # type: ignore[no-untyped-call]

    setattr(servicer, "Configure", configure)  # noqa: B010 (a class attribute of pulumi-policy's)
    _installed = True
