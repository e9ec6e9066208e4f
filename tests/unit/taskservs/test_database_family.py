"""The database services' config sections are made from one family of shapes (`components/taskservs/
_database`): each service's section keeps the shape's rules and shared docs, takes its own defaults and
words, and is named and placed as a section declared in the service's spec."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from provisioning.components.taskservs import _database as database
from provisioning.components.taskservs._database import Default, postgres
from provisioning.components.taskservs.custom_database import spec as custom_database
from provisioning.components.taskservs.mariadb import spec as mariadb
from provisioning.components.taskservs.postgresql import spec as postgresql
from provisioning.sdk.taskservice.rules import deep_path

SHAPES = {
    database.UserSettings,
    database.DatabaseSettings,
    database.ReplicationSettings,
    database.BackupSettings,
    database.MonitoringSettings,
    postgres.MonitoringSettings,
}
MADE = {
    mariadb: (
        "UserSettings",
        "DatabaseSettings",
        "ReplicationSettings",
        "BackupSettings",
        "MonitoringSettings",
    ),
    postgresql: (
        "UserSettings",
        "DatabaseSettings",
        "ReplicationSettings",
        "BackupSettings",
        "MonitoringSettings",
    ),
    custom_database: ("BackupSettings", "MonitoringSettings"),
}


CASES = [(spec, name) for spec, names in MADE.items() for name in names]


@pytest.mark.parametrize(("spec", "name"), CASES, ids=[f"{s.__name__.split('.')[-2]}-{n}" for s, n in CASES])
def test_a_services_section_is_a_shape_declared_in_its_spec(spec: ModuleType, name: str) -> None:
    section: type[BaseModel] = getattr(spec, name)
    assert section.__bases__[0] in SHAPES
    assert (section.__name__, section.__module__) == (name, spec.__name__)
    assert section.__doc__
    assert all(info.description for info in section.model_fields.values())


def test_a_field_declared_again_keeps_the_shapes_rule_and_doc() -> None:
    section = database.ReplicationSettings.for_service(replicas=Default(2))
    assert section().replicas == 2
    assert section.model_fields["replicas"].description == "How many standbys (one replica target each)."
    with pytest.raises(ValidationError, match="replicas must be at least 1"):
        section(replicas=0)


def test_an_annotation_replaces_the_rule_and_a_new_field_comes_last() -> None:
    section = database.BackupSettings.for_service(
        doc="Backups here.",
        storage_location=(Annotated[str, deep_path("/srv/dumps")], Default("/srv/dumps")),
        compress=(bool, Default(True, "Compress each dump.")),
    )
    assert list(section.model_fields)[-2:] == ["storage_location", "compress"]
    assert section.__doc__ == "Backups here."
    assert section.model_fields["storage_location"].description == "Local folder the dumps go to."
    with pytest.raises(ValidationError, match="storage_location '/x' must be an absolute path"):
        section(storage_location="/x")


def test_a_field_the_shape_lacks_needs_its_annotation() -> None:
    with pytest.raises(TypeError, match="UserSettings has no field 'createdb' to declare again"):
        database.UserSettings.for_service(createdb=Default(False, "It may create databases."))


def test_the_services_share_their_rules() -> None:
    assert mariadb.MARIADB.rules[-1] is postgresql.POSTGRESQL.rules[-1] is database.metrics_port_apart
    assert custom_database.CUSTOM_DATABASE.rules[-1] is database.metrics_port_apart


def test_mariadb_and_postgresql_keep_their_documented_constructor() -> None:
    from provisioning.components.taskservs.mariadb import MariaDB
    from provisioning.components.taskservs.postgresql import PostgreSQL

    documented = "resource_name config target passwords replicas replication_password opts".split()
    for service in (MariaDB, PostgreSQL):
        parameters = inspect.signature(service).parameters
        assert list(parameters) == documented
        assert [p.name for p in parameters.values() if p.kind is p.KEYWORD_ONLY] == documented[2:]
        assert parameters["target"].default is inspect.Parameter.empty


def test_the_web_stack_takes_each_database_types_ports_from_its_service() -> None:
    from provisioning.components.clusters.web_stack import blueprint

    assert {kind: s.declaration for kind, s in blueprint.DATABASES.items()} == {
        "postgresql": postgresql.POSTGRESQL,
        "mysql": mariadb.MARIADB,
        "custom-database": custom_database.CUSTOM_DATABASE,
    }
    assert blueprint.DATABASE_PORTS == {"postgresql": 5432, "mysql": 3306, "custom-database": 5432}
    assert blueprint.EXPORTER_PORTS == {"postgresql": 9187, "mysql": 9104, "custom-database": 9187}
