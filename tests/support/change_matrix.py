"""The change matrix, derived from the registered declarations: a stack in which every resource has every
dependent it can have, one row per field a user can set, the stack after each row's change, and the plan
that change must make. Pure data (no engine, no Pulumi); `tests/integration/custom_cloud/
test_change_matrix.py` runs it, and the program `change_matrix/` builds whatever stack it is handed.

Nothing here names a field to make its row: a field added to a declaration gets a row, its base value and
its new value from its type and metadata. Only the API's cross-field rules (a server is in its subnet's zone,
a subnet's range is inside its network's, a volume attaches in its zone) are written down, in `COMPANIONS`;
a field whose new value no rule can derive gets a row that fails, naming it.

Check-only fields (a server's `region`) get a row too: it sets the value the provider would use anyway (the
configured region), and the plan must show no change at all (they are never compared). Options
(`create_timeout`, `keep_storage`) update in place without a request to the API."""

from __future__ import annotations

import copy
import ipaddress
import types
import typing
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from provisioning.providers.custom_cloud import references as cc_references
from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import CIDR
from provisioning.sdk.field_table import Reference, change_of, find_references, package_declarations
from provisioning.sdk.fields import FILLED_BY_SERVICE, FROM_RESOURCE_NAME, has_role
from provisioning.sdk.registry import Declaration
from provisioning.sdk.rules import AtLeast, InCatalog
from provisioning.sdk.stubgen import argument_fields

__all__ = [
    "COMPANIONS",
    "PREFIX",
    "PROVIDER_FILLED",
    "REGION",
    "Matrix",
    "Op",
    "Planned",
    "Row",
    "Stack",
    "expected_ops",
    "matrix",
    "minimal",
    "ref",
    "schedule",
    "target_of",
    "touched",
]

PREFIX = "cm"
"""Every resource name of the matrix's stack starts with this."""
REGION = "us-west-1"
"""The provider's `custom-cloud:region` for the matrix's stacks; catalog values in it are preferred."""
REF = "$ref"
"""A reference in a stack's arguments: `{"$ref": "<resource name>"}` stands for that resource's id."""
PROVIDER_FILLED = frozenset({"region"})
"""Fields the provider fills from its configuration (`custom-cloud:region`) when a resource leaves them out:
the nothing-changed stack leaves them out even where a declaration requires them."""
NETWORK_POOL = ipaddress.IPv4Network("10.40.0.0/13")
"""Where top-level ranges (a network's) are taken from, a /16 at a time."""

Op = Literal["same", "update", "replace", "create", "delete"]
"""What the engine does to one resource in one `up`."""
Role = Literal["subject", "alternate", "next-zone", "unfilled", "needed"]
"""Why a resource is in the stack."""


def ref(name: str) -> dict[str, str]:
    """A reference to the resource `name` of the stack."""
    return {REF: name}


def target_of(value: Any) -> str | None:
    """The resource name a reference names, or None when `value` is not one."""
    return value.get(REF) if isinstance(value, dict) and set(value) == {REF} else None


@dataclass(frozen=True)
class Planned:
    """One resource of the stack."""

    name: str
    """Its Pulumi resource name."""
    token: str
    """Its type token."""
    args: dict[str, Any]
    """Its arguments as JSON, references as `ref(name)`; a field left out takes its default."""
    role: Role
    """Why it is in the stack."""

    def to_json(self) -> dict[str, Any]:
        """The form the program reads."""
        return {"name": self.name, "type": self.token, "args": self.args}


Stack = dict[str, Planned]
"""Resources by name, in creation order (what a resource points at comes first)."""


class Underivable(Exception):
    """No rule derives a value for a field: the matrix needs a decision."""


@dataclass(frozen=True)
class Row:
    """One change of one field of one resource (the stack's subject of that type)."""

    id: str
    """`Server-machine_type`, `Volume-size-grow`."""
    token: str
    """The resource type."""
    field: str
    """The field changed."""
    stack: Stack | None
    """The base stack with the change and its companions applied; None when it cannot be derived."""
    problem: str | None = None
    """Why no change could be derived (the row fails with it)."""


@dataclass
class Matrix:
    """The declarations, their references, the base stack and every row."""

    decls: dict[str, Declaration]
    refs: tuple[Reference, ...]
    base: Stack
    rows: list[Row] = field(default_factory=list)

    def reference(self, token: str, name: str) -> Reference | None:
        """The reference held by field `name` of `token`, if it is one."""
        return next((r for r in self.refs if r.source == token and r.field == name), None)

    def model(self, token: str) -> type[BaseModel]:
        """The declared model of `token`."""
        return self.decls[token].model

    def short(self, token: str) -> str:
        """`custom-cloud:Server` → `Server`."""
        return token.rpartition(":")[2]


# -- field types ---------------------------------------------------------------------------------------------


def _metadata(info: FieldInfo) -> list[Any]:
    """The field's metadata, with that of `Annotated` types nested in its annotation (`RegionName | None`)."""
    found = list(info.metadata)

    def walk(tp: Any) -> None:
        if typing.get_origin(tp) is typing.Annotated:
            found.extend(tp.__metadata__)
            walk(typing.get_args(tp)[0])
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg)

    walk(info.annotation)
    return found


def _core(tp: Any) -> Any:
    """The type without `Annotated` and `None` (`Annotated[str, …] | None` → `str`)."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _catalog(info: FieldInfo) -> tuple[str, ...] | None:
    for item in _metadata(info):
        if isinstance(item, InCatalog):
            return item.known
    core = _core(info.annotation)
    if typing.get_origin(core) is Literal:
        return tuple(str(a) for a in typing.get_args(core))
    return None


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low: float | None = None
    high: float | None = None
    for item in _metadata(info):
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low = float(item.gt) + (1 if _core(info.annotation) is int else 1e-3)  # type: ignore[arg-type]
        elif isinstance(item, AtLeast):
            low = float(item.minimum)
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            high = float(item.lt) - 1  # type: ignore[arg-type]
    return low, high


def _is_cidr(info: FieldInfo) -> bool:
    wanted = typing.get_args(CIDR)[1:]
    return all(any(item is w for item in info.metadata) for w in wanted)


def _nested_model(info: FieldInfo) -> type[BaseModel] | None:
    core = _core(info.annotation)
    if typing.get_origin(core) is list:
        item = _core(typing.get_args(core)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _preferred(known: tuple[str, ...], current: Any = None) -> str:
    """A catalog value other than `current`, preferring the stack's region (`us-west-1a` → `us-west-1b`)."""
    others = [v for v in known if v != current]
    in_region = [v for v in others if v.startswith(REGION)]
    return (in_region or others)[0]


# -- base values ---------------------------------------------------------------------------------------------


def _base_scalar(owner: str, name: str, info: FieldInfo) -> Any:
    """A valid value for a required field that is neither a reference nor a range."""
    known = _catalog(info)
    if known is not None:
        return _preferred(known)
    core = _core(info.annotation)
    low, high = _bounds(info)
    if core is bool:
        return False
    if core in (int, float):
        value = 20.0 if low is None else max(20.0, low)
        value = value if high is None else min(value, high)
        return int(value) if core is int else value
    if core is str:
        return "matrix"
    nested = _nested_model(info)
    if nested is not None:
        return [_base_model(owner, nested)]
    raise Underivable(f"no rule gives {owner}.{name} ({info.annotation}) a base value")


def _base_model(owner: str, model: type[BaseModel]) -> dict[str, Any]:
    return {n: _base_scalar(owner, n, i) for n, i in model.model_fields.items() if i.is_required()}


class _Ranges:
    """Hands out ranges that no other resource of the stack holds."""

    def __init__(self, stack: Stack) -> None:
        self.taken = [
            ipaddress.IPv4Network(v) for p in stack.values() for v in p.args.values() if _looks_cidr(v)
        ]

    def inside(self, parent: str | None, prefix: int) -> str:
        pool = NETWORK_POOL if parent is None else ipaddress.IPv4Network(parent)
        for net in pool.subnets(new_prefix=prefix):
            if not any(net.overlaps(t) for t in self.taken if parent is None or not t.supernet_of(pool)):
                self.taken.append(net)
                return str(net)
        raise Underivable(f"no free /{prefix} inside {parent or NETWORK_POOL}")


def _looks_cidr(value: Any) -> bool:
    return isinstance(value, str) and "/" in value and value.split("/")[0].count(".") == 3


# -- the base stack ------------------------------------------------------------------------------------------


def _order(decls: Mapping[str, Declaration], refs: tuple[Reference, ...]) -> list[str]:
    """Type tokens, each after the ones it points at."""
    done: list[str] = []
    pending = sorted(decls)
    while pending:
        ready = [t for t in pending if all(r.target in done or r.target == t for r in refs if r.source == t)]
        if not ready:
            raise Underivable(f"references between {pending} form a cycle")
        done.extend(ready)
        pending = [t for t in pending if t not in ready]
    return done


def _kind(token: str) -> str:
    return token.rpartition(":")[2].lower()


def _next_zone(zone: str) -> str:
    return _preferred(catalog.ALL_ZONES, zone)


def _parent_range(m: Matrix, stack: Stack, planned: Planned) -> str | None:
    """The range of the resource `planned` points at that has one (a subnet's network), if any."""
    for name, value in planned.args.items():
        target = target_of(value)
        if target is not None and m.reference(planned.token, name) is not None:
            for v in stack[target].args.values():
                if _looks_cidr(v):
                    return str(v)
    return None


def _build(
    m: Matrix,
    stack: Stack,
    token: str,
    name: str,
    role: Role,
    *,
    zone: str | None = None,
    minimal: bool = False,
) -> Planned:
    """A resource of `token`: required fields from their types, every reference set (to the subject, or to
    the resource in the same zone), a fresh range inside its parent's. `minimal`: without the references
    the service fills in and the fields the provider fills in."""
    model = m.model(token)
    args: dict[str, Any] = {}
    for fname, info in argument_fields(model).items():
        reference = m.reference(token, fname)
        if minimal and (fname in PROVIDER_FILLED or has_role(info, FILLED_BY_SERVICE)):
            continue
        if reference is not None:
            candidates = [p for p in stack.values() if p.token == reference.target and p.role != "alternate"]
            if reference.many:
                args[fname] = [ref(p.name) for p in candidates if p.role != "needed"]
            else:
                same_zone = [p for p in candidates if zone is not None and p.args.get("zone") == zone]
                args[fname] = ref((same_zone or candidates)[0].name)
        elif has_role(info, FROM_RESOURCE_NAME) or not info.is_required() or _is_cidr(info):
            continue
        elif fname == "zone" and zone is not None:
            args[fname] = zone
        else:
            args[fname] = _base_scalar(m.short(token), fname, info)
    planned = Planned(name, token, args, role)
    for fname, info in argument_fields(model).items():
        if _is_cidr(info):
            prefix = 16 if _parent_range(m, stack, planned) is None else 24
            args[fname] = _Ranges(stack).inside(_parent_range(m, stack, planned), prefix)
    return planned


def _base(m: Matrix) -> Stack:
    """The subject of every type; an alternate of every type something points at (what a reference changes
    to); one resource of every zonal type in the next zone (where a zone change moves to); and, for every
    reference the service fills in when unset (a server's vpc), one resource that leaves it unset."""
    stack: Stack = {}
    for token in _order(m.decls, m.refs):
        kind, model = _kind(token), m.model(token)
        subject = _build(m, stack, token, f"{PREFIX}-{kind}", "subject")
        stack[subject.name] = subject
        for fname in argument_fields(model):
            if has_role(model.model_fields[fname], FILLED_BY_SERVICE) and m.reference(token, fname):
                args = {k: v for k, v in subject.args.items() if k != fname}
                name = f"{PREFIX}-{kind}-no-{fname.replace('_', '-')}"
                stack[name] = Planned(name, token, args, "unfilled")
        if "zone" in model.model_fields and "zone" in subject.args:
            zone = _next_zone(subject.args["zone"])
            nz = _build(m, stack, token, f"{PREFIX}-{kind}-{zone[-1]}", "next-zone", zone=zone)
            stack[nz.name] = nz
        if any(r.target == token for r in m.refs):
            alt = _build(m, stack, token, f"{PREFIX}-{kind}-alt", "alternate")
            stack[alt.name] = alt
    return stack


def minimal(m: Matrix, prefix: str) -> Stack:
    """One resource of every type with only what it must be given: its required fields and the references
    the service does not fill (a server gets a subnet and no vpc, a load balancer no region)."""
    stack: Stack = {}
    for token in _order(m.decls, m.refs):
        planned = _build(m, stack, token, f"{prefix}-{_kind(token)}", "subject", minimal=True)
        stack[planned.name] = planned
    return stack


# -- new values ----------------------------------------------------------------------------------------------


def _value(m: Matrix, planned: Planned, name: str) -> Any:
    """The field's value: as given, else its default (the resource name for a name field)."""
    info = m.model(planned.token).model_fields[name]
    if name in planned.args:
        return planned.args[name]
    if has_role(info, FROM_RESOURCE_NAME):
        return planned.name
    return info.get_default(call_default_factory=True)


def _likeness(a: Planned, b: Planned) -> int:
    """How many plain arguments two resources share (an alternate in the same zone and network wins)."""
    return sum(1 for k, v in a.args.items() if k in b.args and b.args[k] == v and not _looks_cidr(v))


def _alternate(stack: Stack, target_token: str, current: str, *, exclude: Collection[str] = ()) -> str:
    """The resource of `target_token` most like `current`, other than it (and those in `exclude`)."""
    mine = stack[current]
    candidates = [
        p for p in stack.values() if p.token == target_token and p.name != current and p.name not in exclude
    ]
    if not candidates:
        raise Underivable(f"the stack has no second {target_token} to point at")
    return max(candidates, key=lambda p: (_likeness(mine, p), p.role == "alternate")).name


def _changed(m: Matrix, stack: Stack, planned: Planned, name: str, direction: str | None) -> Any:
    """Another valid value of `name` for `planned`, from the field's type and metadata."""
    info = m.model(planned.token).model_fields[name]
    current = _value(m, planned, name)
    reference = m.reference(planned.token, name)
    if reference is not None:
        if reference.many:
            names = [target_of(v) for v in current]
            first = str(names[0])
            swap = _alternate(stack, reference.target, first, exclude={str(n) for n in names})
            return [ref(swap), *current[1:]]
        if current is None:
            return ref(next(p.name for p in stack.values() if p.token == reference.target))
        return ref(_alternate(stack, reference.target, str(target_of(current))))
    if has_role(info, FROM_RESOURCE_NAME):
        return f"{current}-2"
    if _is_cidr(info):
        parent = _parent_range(m, stack, planned)
        prefix = ipaddress.IPv4Network(current).prefixlen
        return _Ranges(stack).inside(parent, prefix)
    known = _catalog(info)
    if known is not None:
        return _preferred(known, current)
    core = _core(info.annotation)
    low, high = _bounds(info)
    if core is bool:
        return not current
    if core in (int, float):
        if direction == "shrink":
            value = core(max(low if low is not None else 1, current // 2 if core is int else current / 2))
        else:
            value = current * 2 if current else 1
        if (low is not None and value < low) or (high is not None and value > high) or value == current:
            raise Underivable(
                f"{m.short(planned.token)}.{name}: no {direction or 'other'} value near {current}"
            )
        return value
    if typing.get_origin(core) is dict:
        return {**(current or {}), "change-matrix": "changed"}
    if core is str:
        return "changed" if not current else f"{current}-changed"
    nested = _nested_model(info)
    if nested is not None and current:
        first = dict(current[0])
        for nname, ninfo in nested.model_fields.items():
            low, high = _bounds(ninfo)
            if _core(ninfo.annotation) is int and nname in first and (high is None or first[nname] < high):
                return [{**first, nname: first[nname] + 1}, *current[1:]]
    raise Underivable(
        f"no rule derives a new value for {m.short(planned.token)}.{name} ({info.annotation}): teach "
        "tests/support/change_matrix.py its type, or give it a companion"
    )


# -- companions: the API's cross-field rules -----------------------------------------------------------------

Companion = Callable[[Matrix, Stack, str], None]
"""Brings the rest of the stack in line with the change of one field of resource `name` (already applied)."""


def _set(stack: Stack, resource: str, /, **args: Any) -> None:
    stack[resource] = replace(stack[resource], args={**stack[resource].args, **args})


def _dependents(m: Matrix, stack: Stack, name: str) -> Iterator[tuple[Planned, Reference]]:
    """(resource, its reference) for every resource of `stack` pointing at `name`."""
    for planned in list(stack.values()):
        for reference in (r for r in m.refs if r.source == planned.token):
            value = planned.args.get(reference.field)
            values = value if reference.many and isinstance(value, list) else [value]
            if any(target_of(v) == name for v in values):
                yield planned, reference


def _follow_zone(m: Matrix, stack: Stack, name: str) -> None:
    """A server is in its subnet's zone, and a volume attaches only to a server of its zone: whatever the
    moved resource points at in another zone (its subnet) and whatever points at it together with another
    zonal resource (an attachment's volume) is moved to the resource of that kind in the new zone."""
    moved = stack[name]
    zone = moved.args["zone"]
    for fname, value in moved.args.items():
        target = target_of(value)
        if target and m.reference(moved.token, fname) and stack[target].args.get("zone") not in (None, zone):
            _set(stack, name, **{fname: ref(_in_zone(m, stack, stack[target], zone))})
    for dependent, reference in list(_dependents(m, stack, name)):
        for fname, value in dependent.args.items():
            other = target_of(value)
            if other and other != name and stack[other].args.get("zone") not in (None, zone):
                if m.reference(dependent.token, fname) is not None and fname != reference.field:
                    _set(stack, dependent.name, **{fname: ref(_in_zone(m, stack, stack[other], zone))})


def _in_zone(m: Matrix, stack: Stack, like: Planned, zone: str) -> str:
    """The resource of `like`'s type in `zone` most like it, that nothing else points at together with it."""
    found = [p for p in stack.values() if p.token == like.token and p.args.get("zone") == zone]
    if not found:
        raise Underivable(f"the stack has no {m.short(like.token)} in zone {zone}")
    return max(found, key=lambda p: _likeness(like, p)).name


def _server_zone(m: Matrix, stack: Stack, name: str) -> None:
    """Server.zone: the server moves to a subnet of its network in the new zone, and its attachments take
    the volume of the new zone (a server is in its subnet's zone; a volume attaches in its own zone)."""
    _follow_zone(m, stack, name)


def _subnet_zone(m: Matrix, stack: Stack, name: str) -> None:
    """Subnet.zone: its servers move to the new zone with it (a server is in its subnet's zone), and their
    attachments take the volume of the new zone."""
    zone = stack[name].args["zone"]
    for dependent, reference in list(_dependents(m, stack, name)):
        if "zone" in dependent.args and not reference.many:
            _set(stack, dependent.name, zone=zone)
            _follow_zone(m, stack, dependent.name)


def _volume_zone(m: Matrix, stack: Stack, name: str) -> None:
    """Volume.zone: its attachments move to the server of the new zone (a volume attaches in its zone)."""
    _follow_zone(m, stack, name)


def _server_vpc(m: Matrix, stack: Stack, name: str) -> None:
    """Server.vpc: the server moves to a subnet of the new network in its zone (a server's subnet belongs to
    its vpc); the stack holds one (see `NEEDS`)."""
    server = stack[name]
    network = target_of(server.args["vpc"])
    found = [
        p.name
        for p in stack.values()
        if target_of(server.args.get("subnet")) is not None
        and p.token == stack[str(target_of(server.args["subnet"]))].token
        and any(target_of(v) == network for v in p.args.values())
        and p.args.get("zone") == server.args.get("zone")
    ]
    if not found:
        raise Underivable(f"the stack has no subnet of {network} in zone {server.args.get('zone')}")
    _set(stack, name, subnet=ref(found[0]))


def _subnet_network(m: Matrix, stack: Stack, name: str) -> None:
    """Subnet.network_id: its range moves inside the new network's, and its servers that name a vpc take
    the new network (a subnet's range is inside its network's; a server's vpc is its subnet's network)."""
    subnet = stack[name]
    network = target_of(subnet.args["network_id"])
    parent = next(v for v in stack[str(network)].args.values() if _looks_cidr(v))
    ranges = _Ranges({k: v for k, v in stack.items() if k != name})
    _set(stack, name, cidr=ranges.inside(parent, ipaddress.IPv4Network(subnet.args["cidr"]).prefixlen))
    for dependent, reference in list(_dependents(m, stack, name)):
        for fname, value in dependent.args.items():
            other = target_of(value)
            if other and fname != reference.field and stack[other].token == stack[str(network)].token:
                _set(stack, dependent.name, **{fname: ref(str(network))})


def _network_cidr(m: Matrix, stack: Stack, name: str) -> None:
    """Network.cidr: each of its subnets keeps its place in the new range (a subnet's range is inside its
    network's)."""
    new = ipaddress.IPv4Network(stack[name].args["cidr"])
    for dependent, _reference in list(_dependents(m, stack, name)):
        if "cidr" in dependent.args:
            old = ipaddress.IPv4Network(dependent.args["cidr"])
            offset = int(old.network_address) & int(new.hostmask)
            moved = ipaddress.IPv4Network((int(new.network_address) + offset, old.prefixlen))
            _set(stack, dependent.name, cidr=str(moved))


COMPANIONS: dict[tuple[str, str], Companion] = {
    ("Server", "zone"): _server_zone,
    ("Server", "vpc"): _server_vpc,
    ("Subnet", "zone"): _subnet_zone,
    ("Subnet", "network_id"): _subnet_network,
    ("Network", "cidr"): _network_cidr,
    ("Volume", "zone"): _volume_zone,
}
"""(resource, field) → what else changes with it, because the API ties the fields together (each says its
rule). A field without an entry changes alone."""

NEEDS: dict[tuple[str, str], tuple[str, str]] = {("Server", "vpc"): ("Subnet", "network_id")}
"""(resource, field) → (type, reference) of a resource the base stack adds for that row's companion: a
subnet of the alternate network, in the subject server's zone."""


def _add_needed(m: Matrix, stack: Stack) -> None:
    for (short, fname), (needed_short, needed_field) in NEEDS.items():
        token = next((t for t in m.decls if m.short(t) == short), None)
        needed = next((t for t in m.decls if m.short(t) == needed_short), None)
        if token is None or needed is None:
            continue
        subject = stack[f"{PREFIX}-{_kind(token)}"]
        target = _changed(m, stack, subject, fname, None)
        like = stack[f"{PREFIX}-{_kind(needed)}"]
        planned = Planned(f"{like.name}-of-{target_of(target)}", needed, dict(like.args), "needed")
        planned.args[needed_field] = target
        planned.args.pop("cidr", None)
        planned.args["cidr"] = _Ranges(stack).inside(_parent_range(m, stack, planned), 24)
        position = list(stack).index(like.name) + 1
        items = list(stack.items())
        items.insert(position, (planned.name, planned))
        stack.clear()
        stack.update(items)


# -- rows ----------------------------------------------------------------------------------------------------


def _directions(m: Matrix, token: str, name: str) -> list[str | None]:
    return ["grow", "shrink"] if change_of(m.model(token), name) == "grow-only" else [None]


def _row(m: Matrix, token: str, name: str, direction: str | None) -> Row:
    row_id = "-".join(p for p in (m.short(token), name, direction) if p)
    subject = f"{PREFIX}-{_kind(token)}"
    stack = copy.deepcopy(m.base)
    try:
        value = _changed(m, stack, stack[subject], name, direction)
        _set(stack, subject, **{name: value})
        companion = COMPANIONS.get((m.short(token), name))
        if companion is not None:
            companion(m, stack, subject)
        _validate(m, stack)
    except Underivable as exc:
        return Row(row_id, token, name, None, str(exc))
    return Row(row_id, token, name, stack)


def _validate(m: Matrix, stack: Stack) -> None:
    """Every resource's arguments pass its declaration (references stand in as ids)."""
    for planned in stack.values():
        data = {
            k: ([f"id-{target_of(x)}" for x in v] if isinstance(v, list) and v and target_of(v[0]) else v)
            for k, v in planned.args.items()
        }
        data = {k: (f"id-{target_of(v)}" if target_of(v) else v) for k, v in data.items()}
        model = m.model(planned.token)
        for name in (n for n, i in model.model_fields.items() if has_role(i, FROM_RESOURCE_NAME)):
            data.setdefault(name, planned.name)
        try:
            model.model_validate(data)
        except ValidationError as exc:
            raise Underivable(f"{planned.name} ({m.short(planned.token)}) is not valid: {exc}") from None


def matrix(decls: Mapping[str, Declaration] | None = None) -> Matrix:
    """The matrix of `decls` (default: every registered Custom Cloud declaration)."""
    decls = dict(package_declarations(cc_references.PACKAGE) if decls is None else decls)
    m = Matrix(decls, find_references(decls, cc_references.REFERENCES), {})
    m.base = _base(m)
    _add_needed(m, m.base)
    _validate(m, m.base)
    for token in decls:
        for name in argument_fields(m.model(token)):
            for direction in _directions(m, token, name):
                m.rows.append(_row(m, token, name, direction))
    return m


def touched(m: Matrix, before: Stack, after: Stack) -> set[str]:
    """The resources an `up` from `before` to `after` changes."""
    return {name for name, op in expected_ops(m, before, after).items() if op != "same"}


def schedule(m: Matrix, rows: list[Row]) -> list[Row]:
    """`rows` reordered so that, as often as it can, a row changes none of the resources the row before it
    changed (then one `up` can revert that row and make this one, and the plan still shows each alone):
    rows that change the most come first, each followed by the largest row that does not overlap it."""
    sets = {r.id: (set() if r.stack is None else touched(m, m.base, r.stack)) for r in rows}
    pending = sorted(rows, key=lambda r: -len(sets[r.id]))
    ordered: list[Row] = []
    while pending:
        busy = sets[ordered[-1].id] if ordered else set()
        free = [r for r in pending if r.stack is not None and not busy & sets[r.id]]
        pick = free[0] if free else pending[0]
        pending.remove(pick)
        ordered.append(pick)
    return ordered


# -- the plan a change must make -----------------------------------------------------------------------------


def expected_ops(m: Matrix, before: Stack, after: Stack) -> dict[str, Op]:
    """What an `up` from `before` to `after` does to each resource, from the declarations: a changed field
    replaces or updates as its role says (grow-only by direction, check-only never), and a reference to a
    replaced resource is a changed field too."""
    ops: dict[str, Op] = {name: "delete" for name in before if name not in after}
    ops.update({name: "create" for name in after if name not in before})
    replaced = {n for n, op in ops.items() if op in ("create", "delete")}
    while True:
        found = {n: _op(m, before[n], after[n], replaced) for n in after if n in before}
        now = replaced | {n for n, op in found.items() if op == "replace"}
        if now == replaced:
            ops.update(found)
            return ops
        replaced = now


def _op(m: Matrix, old: Planned, new: Planned, replaced: set[str]) -> Op:
    model = m.model(new.token)
    op: Op = "same"
    for name in argument_fields(model):
        was, now = _value(m, old, name), _value(m, new, name)
        points_at_replaced = any(target_of(v) in replaced for v in (now if isinstance(now, list) else [now]))
        if was == now and not points_at_replaced:
            continue
        change = change_of(model, name)
        if change == "check-only":
            continue
        if change == "replace" or (change == "grow-only" and now < was):
            return "replace"
        op = "update"
    return op
