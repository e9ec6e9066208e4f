"""`DocumentedModel` describes fields exactly as pydantic's `use_attribute_docstrings` would, for every model
of the package, and the descriptions reach the JSON schema built later."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ConfigDict, Field
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

import provisioning.components.taskservs  # noqa: F401  # every task service's models
import provisioning.policies.config  # noqa: F401
import provisioning.providers.custom_cloud.lookups  # noqa: F401
import provisioning.providers.custom_cloud.resources  # noqa: F401
import provisioning.sdk.cluster  # noqa: F401
import provisioning.sdk.extensions.manifest  # noqa: F401
from provisioning.providers.custom_cloud.api.models import InstancePublic
from provisioning.sdk.documented import DocumentedModel


def _documented(cls: type[DocumentedModel]) -> Iterator[type[DocumentedModel]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _documented(sub)


MODELS = sorted(
    {c for c in _documented(DocumentedModel) if c.__module__.startswith("provisioning.")},
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def test_the_package_has_documented_models() -> None:
    described = sum(1 for m in MODELS for info in m.__pydantic_fields__.values() if info.description)
    assert len(MODELS) > 40 and described > 100, (len(MODELS), described)


@pytest.mark.parametrize(
    "model", MODELS, ids=lambda m: f"{m.__module__.removeprefix('provisioning.')}.{m.__name__}"
)
def test_descriptions_are_pydantics(model: type[DocumentedModel]) -> None:
    expected = extract_docstrings_from_cls(model, use_inspect=True)
    own = {name for name in expected if name in model.__pydantic_fields__}
    for name in own:
        assert model.__pydantic_fields__[name].description == expected[name], f"{model.__name__}.{name}"


def test_descriptions_reach_the_json_schema() -> None:
    schema = InstancePublic.model_json_schema()
    assert schema["properties"]["machine_type"]["description"].startswith("Catalog machine type")


def test_an_explicit_description_wins_and_a_built_model_is_rebuilt() -> None:
    class Eager(DocumentedModel):
        model_config = ConfigDict(defer_build=False)

        size: int = Field(1, description="explicit")
        """ignored: the field has a description"""
        colour: str = "red"
        """The colour."""
        plain: int = 0

    fields = Eager.model_fields
    assert (fields["size"].description, fields["colour"].description, fields["plain"].description) == (
        "explicit",
        "The colour.",
        None,
    )
    assert Eager.model_json_schema()["properties"]["colour"]["description"] == "The colour."


def test_same_named_classes_in_one_module_keep_their_own_docs() -> None:
    def first() -> type[DocumentedModel]:
        class Twin(DocumentedModel):
            a: int = 0
            """First twin's a."""

        return Twin

    def second() -> type[DocumentedModel]:
        class Twin(DocumentedModel):
            a: int = 0
            """Second twin's a."""

        return Twin

    assert first().model_fields["a"].description == "First twin's a."
    assert second().model_fields["a"].description == "Second twin's a."
