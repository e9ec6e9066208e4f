"""The types the component package's schema is inferred from, written from the declarations (no engine):
every config field is an input, a type the schema cannot show says what it shows instead, and numbers sent
as floats reach the config model as ints."""

from __future__ import annotations

import json
import typing
from typing import Literal

import pytest
from pydantic import BaseModel

from provisioning.components.clusters.web_stack import WEB_STACK
from provisioning.components.clusters.web_stack.component import WebStack
from provisioning.components.package import components
from provisioning.components.package._served import WebStackInputs, _whole_numbers
from provisioning.components.package._source import ComponentSource, component_source
from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE


@pytest.fixture(scope="module")
def schema() -> dict[str, typing.Any]:
    from pulumi.provider.experimental.component import ComponentProvider

    return dict(json.loads(str(ComponentProvider(components(), "provisioning", None, "0.1.0").schema)))


SERVED = [("WebStack", WEB_STACK.model), ("CustomDatabase", CUSTOM_DATABASE.model)]


@pytest.mark.parametrize(("name", "model"), SERVED)
def test_every_top_level_config_field_is_an_input(
    schema: dict[str, typing.Any], name: str, model: type[BaseModel]
) -> None:
    inputs = schema["resources"][f"provisioning:index:{name}"]["inputProperties"]
    for field in model.model_fields:
        camel = field.split("_")[0] + "".join(part.title() for part in field.split("_")[1:])
        assert camel in inputs, field


def test_the_outputs_are_the_python_components(schema: dict[str, typing.Any]) -> None:
    outputs = schema["resources"]["provisioning:index:CustomDatabase"]["properties"]
    assert {"endpoint", "healthy", "status", "checks", "plannedChanges", "serviceMetadata"} <= set(outputs)


def test_a_union_and_a_literal_say_what_the_schema_shows() -> None:
    class Odd(BaseModel):
        """A model with types the schema has no word for."""

        size: int | str = 1
        """A number or a name."""
        mode: Literal["a", "b"] = "a"
        """How."""

    text = component_source(ComponentSource("Odd", Odd, WebStackInputs, WebStack, "WebStackHost"))
    assert "size: typing.Any" in text and "Accepts int or str: the schema has no unions" in text
    assert "mode: str" in text and 'One of `"a"`, `"b"`.' in text


def test_whole_floats_become_ints_everywhere() -> None:
    sent = {"replicas": 2.0, "ratio": 0.5, "tiers": [{"n": 3.0}], "name": "x"}
    assert _whole_numbers(sent) == {"replicas": 2, "ratio": 0.5, "tiers": [{"n": 3}], "name": "x"}
    assert type(_whole_numbers(sent)["replicas"]) is int
