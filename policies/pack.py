"""The pack: every rule of this package, for `pulumi preview --policy-pack` (see PulumiPolicy.yaml)."""

from __future__ import annotations

from pulumi_policy import Policy, PolicyPack

from ._configure_guard import guard_configure
from .remediation import default_labels_policy
from .resource_rules import declaration_policies
from .stack_rules import stack_policies

__all__ = ["PACK_NAME", "all_policies", "serve_pack"]

PACK_NAME = "provisioning"
"""The pack's name (what `pulumi preview` prints and what `pulumi config` of a pack refers to)."""


def all_policies() -> list[Policy]:
    """Every rule: each registered declaration's schema and catalog rules, the stack rules, remediations."""
    return [*declaration_policies(), *stack_policies(), default_labels_policy()]


def serve_pack(name: str = PACK_NAME) -> PolicyPack:
    """Run the pack (call this from a pack's `__main__.py`; other organisations compose `all_policies()`).
    A configuration naming an unknown rule or breaking a setting's rule fails the preview, naming the key."""
    policies = all_policies()
    guard_configure({p.name: getattr(p, "settings", None) for p in policies})
    return PolicyPack(name=name, policies=policies)
