"""Row filters and column masks, spliced into a statement's syntax tree.

`apply_policies` rewrites every read of a governed table into a filtered, masked subquery;
`PolicyRewrite.key` names the effective policy for the result's fingerprint.
"""

from connectors.sql.policy.model import Namespace, PolicyContext, TableKey, TablePolicy
from connectors.sql.policy.rewrite import PolicyRewrite, apply_policies

__all__ = [
    "Namespace",
    "PolicyContext",
    "PolicyRewrite",
    "TableKey",
    "TablePolicy",
    "apply_policies",
]
