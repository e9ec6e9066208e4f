"""The component package on the real engine, from a wheel of this checkout in its own venv: `pulumi package
get-schema` lists every config field of WebStack and CustomDatabase (sections walked) with its description
and default, written from the declarations, so a field added to a declaration is in the schema with no other
edit; a TypeScript program (examples/web-stack-ts) adds the package and previews a WebStack against a local
Custom Cloud (record hosts), and a broken input fails the preview naming the field."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import yaml
from pydantic import BaseModel, Field

from provisioning.components.clusters.web_stack import WEB_STACK
from provisioning.components.clusters.web_stack.component import WebStack as PythonWebStack
from provisioning.components.clusters.web_stack.spec import WebStackConfig, WebTierSettings
from provisioning.components.package._generated import module_of
from provisioning.components.package._served import WebStackHost, WebStackInputs
from provisioning.components.package._source import ComponentSource
from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE
from provisioning.sdk.fields import FROM_RESOURCE_NAME, fields_with
from tests.support.cloud import running_cloud
from tests.support.pulumi_cli import REPO_ROOT, PulumiProject, require_engine
from tests.support.typescript import PackageVenv, add_package, package_venv, require_node

pytestmark = [pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}


def set_cluster(project: PulumiProject, cluster: dict[str, Any]) -> None:
    """The stack config object `web-stack-ts:cluster` (the encrypted secrets beside it kept)."""
    path = project.workdir / f"Pulumi.{project.stack}.yaml"
    settings = yaml.safe_load(path.read_text()) or {}
    settings.setdefault("config", {})["web-stack-ts:cluster"] = cluster
    path.write_text(yaml.safe_dump(settings, sort_keys=True))


def camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def config_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, type[BaseModel], str]]:
    """(dotted path, model, field name) of every field of `model`, sections walked."""
    for name, info in model.model_fields.items():
        yield prefix + name, model, name
        section = _section(info.annotation)
        if section is not None:
            yield from config_fields(section, f"{prefix}{name}.")


def _section(tp: Any) -> type[BaseModel] | None:
    for arg in (tp, *typing.get_args(tp)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def schema_property(schema: dict[str, Any], resource: str, path: str) -> dict[str, Any]:
    """The schema property at dotted `path` of `resource`'s inputs (sections followed through `$ref`)."""
    properties = schema["resources"][f"provisioning:index:{resource}"]["inputProperties"]
    *sections, last = path.split(".")
    for part in sections:
        ref = properties[camel(part)]["$ref"].rsplit("/", 1)[-1]
        properties = schema["types"][ref]["properties"]
    return dict(properties[camel(last)])


def expected_default(model: type[BaseModel], name: str) -> str | None:
    """What the description says about an unset field: its JSON default, or None when it says otherwise."""
    info = model.model_fields[name]
    doc = " ".join((info.description or "").split()).lower()
    if info.is_required() or name in fields_with(model, FROM_RESOURCE_NAME) or "default" in doc:
        return None
    if "when not given" in doc or _section(info.annotation) is not None:
        return None
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    return "Default: not set." if value is None else f"Default: `{json.dumps(value)}`."


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> PackageVenv:
    made = package_venv(tmp_path_factory.mktemp("package-venv"))
    TIMINGS["wheel and venv"] = round(made.seconds, 1)
    return made


@pytest.fixture(scope="module")
def schema(venv: PackageVenv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(
        [require_engine(), "package", "get-schema", str(venv.plugin)], capture_output=True, text=True,
        timeout=300, check=False, cwd=tmp_path_factory.mktemp("get-schema"), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    TIMINGS["get-schema"] = round(time.monotonic() - started, 1)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(
    ("resource", "declaration"), [("WebStack", WEB_STACK), ("CustomDatabase", CUSTOM_DATABASE)]
)
def test_the_schema_lists_every_config_field_with_its_doc_and_default(
    schema: dict[str, Any], resource: str, declaration: Any
) -> None:
    for path, model, name in config_fields(declaration.model):
        found = schema_property(schema, resource, path)
        info = model.model_fields[name]
        description = found.get("description", "")
        assert " ".join((info.description or "").split()) in description, path
        default = expected_default(model, name)
        assert default is None or description.endswith(default), (path, description)
    required = schema["resources"][f"provisioning:index:{resource}"]["requiredInputs"]
    named = set(fields_with(declaration.model, FROM_RESOURCE_NAME))
    config_required = {camel(n) for n, i in declaration.model.model_fields.items() if i.is_required()} - {
        camel(n) for n in named
    }
    assert config_required <= set(required)


def test_the_schema_lists_the_python_components_outputs(schema: dict[str, Any]) -> None:
    outputs = schema["resources"]["provisioning:index:WebStack"]["properties"]
    assert set(outputs) == {
        "endpoints", "components", "status", "healthy", "estimatedHourlyCost", "providerHourlyCost",
    }  # fmt: skip
    assert outputs["healthy"]["type"] == "boolean" and outputs["healthy"]["description"]
    inputs = schema["resources"]["provisioning:index:WebStack"]["inputProperties"]
    assert "plain" not in inputs["databasePassword"] and inputs["appName"]["plain"] is True


def test_a_field_added_to_a_declaration_is_in_the_schema_with_no_other_edit() -> None:
    from pulumi.provider.experimental.component import ComponentProvider

    class GrownTier(WebTierSettings):
        """The web servers, grown by a field."""

        canary: Annotated[int, Field(ge=0)] = 1
        """How many web servers get a release first."""

    class Grown(WebStackConfig):
        """A web application stack with one more field."""

        web_tier: GrownTier = Field(default_factory=GrownTier)
        """The web servers and the load balancer."""
        greeting: str | None = None
        """What the app's page says first."""

    grown = ComponentSource("WebStack", Grown, WebStackInputs, PythonWebStack, "WebStackHost")
    module: types.ModuleType = module_of("tests_grown_package", [grown])
    assert issubclass(module.WebStack, WebStackHost)
    provider = ComponentProvider([module.WebStack], "provisioning", None, "0.0.1")
    found = json.loads(str(provider.schema))
    greeting = found["resources"]["provisioning:index:WebStack"]["inputProperties"]["greeting"]
    assert greeting == {
        "type": "string", "plain": True, "description": "What the app's page says first. Default: not set.",
    }  # fmt: skip
    canary = found["types"]["provisioning:index:WebStackGrownTier"]["properties"]["canary"]
    assert canary["type"] == "integer" and canary["description"].endswith("Default: `1`.")


def test_a_typescript_program_adds_the_package_and_previews_a_web_stack(
    venv: PackageVenv, tmp_path: Path
) -> None:
    require_node()
    with running_cloud(tmp_path) as cloud:
        project = PulumiProject.copy_of(REPO_ROOT / "examples" / "web-stack-ts", tmp_path / "project")
        TIMINGS.update(add_package(project.workdir, venv, project.env))
        settings = yaml.safe_load((project.workdir / "Pulumi.yaml").read_text())
        assert settings["runtime"]["options"]["virtualenv"] == str(venv.path.resolve())
        assert settings["packages"]["provisioning"] == str(venv.plugin)
        project.config_set("custom-cloud:apiUrl", cloud.url)
        project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
        project.config_set(
            "sshPublicKey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnlyKeyForPreview test"
        )
        project.config_set("sshPrivateKey", "not-a-real-key", secret=True)
        project.config_set("databasePassword", "preview-only", secret=True)
        cluster = {"appName": "shop", "webTier": {"replicas": 1}, "network": {"vpcCidr": "10.89.0.0/16"},
                   "appTier": {"replicas": 2, "autoScaling": {"enabled": False}}}  # fmt: skip
        set_cluster(project, cluster)
        started = time.monotonic()
        preview = project.preview_json()
        TIMINGS["preview"] = round(time.monotonic() - started, 1)
        created = [s["urn"].split("::")[-2:] for s in preview["steps"] if s["op"] == "create"]
        assert ["provisioning:index:WebStack", "web-stack"] in created
        assert ["provisioning:index:WebStack$provisioning:clusters:WebStack", "web-stack"] in created
        servers = sorted(name for kind, name in created if kind.endswith("custom-cloud:Server"))
        assert servers == [
            "web-stack-app-0", "web-stack-app-1", "web-stack-db-primary", "web-stack-db-replica",
            "web-stack-lb-0", "web-stack-monitoring-0", "web-stack-web-0",
        ]  # fmt: skip
        # a broken input fails the preview, naming the field and the rule
        broken = {**cluster, "appName": "Shop!", "webTier": {"replicas": 0}}
        set_cluster(project, broken)
        failed = project.preview(check=False)
        assert failed.returncode != 0
        said = failed.stdout + failed.stderr
        assert "app_name 'Shop!' must be 1 to 40 lowercase letters" in said, said[-3000:]
        assert "web_tier replicas must be at least 1 (got 0)" in said, said[-3000:]
    print(f"\ncomponent package timings (s): {json.dumps(TIMINGS)}")


def test_the_typescript_template_makes_a_project_that_previews(venv: PackageVenv, tmp_path: Path) -> None:
    require_node()
    generated = tmp_path / "generated"
    done = subprocess.run(
        [require_engine(), "new", str(REPO_ROOT / "templates" / "web-stack-ts"), "--generate-only", "--yes",
         "--name", "my-shop", "--description", "from the template", "--dir", str(generated),
         "--non-interactive"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, "PULUMI_BACKEND_URL": f"file://{tmp_path}"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with running_cloud(tmp_path) as cloud:
        project = PulumiProject.copy_of(generated, tmp_path / "project")
        add_package(project.workdir, venv, project.env)
        project.config_set("custom-cloud:apiUrl", cloud.url)
        project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
        project.config_set("sshPublicKey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreviewOnly test")
        project.config_set("sshPrivateKey", "not-a-real-key", secret=True)
        project.config_set("databasePassword", "preview-only", secret=True)
        project.run("config", "set", "--path", "cluster.webTier.replicas", "1", "--stack", project.stack)
        preview = project.preview_json()
        servers = [s for s in preview["steps"] if s["op"] == "create" and "custom-cloud:Server" in s["urn"]]
        assert len(servers) == 1 + 5 + 2 + 1 + 1  # web 1, app 5 (the defaults), database 2, lb, monitoring
