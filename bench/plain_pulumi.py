"""The smallest dynamic resource plain Pulumi offers, as program text the benches put in front of their
plain programs: a provider class in the program whose `create` returns its inputs (no SDK, no API)."""

PLAIN_RESOURCE = """\
import sys

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

# pulumi#17803: every dynamic resource wraps the pickler's methods once more, so a few hundred of them end
# in RecursionError (measured: 314); a deeper limit is the least a plain program needs to reach N
sys.setrecursionlimit(20_000)


class Provider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_=props["name"], outs=props)


class Plain(Resource):
    def __init__(self, name, **more):
        super().__init__(Provider(), name, {"name": name, **more})


"""
"""Defines `Plain(name, **inputs)`; imports `sys` and `pulumi`."""
