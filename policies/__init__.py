"""The policy pack: every declared resource's, task service's and cluster's rules, the catalog, the budget,
what production requires, and default labels, as pulumi-policy rules another pack can import and compose.

Run it with `pulumi preview --policy-pack "$(provisioning policy path)"` (docs/policies.md)."""

from .pack import PACK_NAME, all_policies, serve_pack
from .remediation import default_labels_policy
from .resource_rules import declaration_policies
from .stack_rules import stack_policies

__all__ = [
    "PACK_NAME",
    "all_policies",
    "declaration_policies",
    "default_labels_policy",
    "serve_pack",
    "stack_policies",
]
