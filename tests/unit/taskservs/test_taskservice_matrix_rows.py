"""The task-service matrix's rows, derived from the declarations (no engine): every field of every service
in it has a row, each row's value is accepted by the service's rules in the config the rows before it left,
and a field added to a declaration gets a row."""

from __future__ import annotations

from typing import Annotated

import pytest

from provisioning.sdk.registry import Declaration
from provisioning.sdk.taskservice.rules import CronSchedule, MemorySize
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from tests.support.field_paths import switch_off_last
from tests.support.taskservice_matrix import SERVICES, Row, all_rows, get_path, leaves, rows, set_path

ROWS = all_rows()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_field_has_a_row_in_declaration_order_switch_offs_last(service: str) -> None:
    declaration, base = SERVICES[service]
    deployed = declaration.model.model_validate(base).model_dump(mode="json")
    assert [row.field for row in ROWS if row.service == service] == switch_off_last(
        [path for path, _ in leaves(declaration.model)], deployed
    )


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_row_changes_a_field_while_its_section_is_switched_off(service: str) -> None:
    declaration, settings = SERVICES[service]
    inert = []
    for row in (row for row in ROWS if row.service == service):
        config = declaration.model.model_validate(settings).model_dump(mode="json")
        parts = row.field.split(".")
        sections = [".".join(parts[:n]) for n in range(1, len(parts))]
        if any(f"{s}.enabled" != row.field and get_path(config, f"{s}.enabled") is False for s in sections):
            inert.append(row.id)
        settings = set_path(settings, row.field, row.value)
    assert inert == []


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_each_row_changes_its_field_to_a_value_the_rules_accept(row: Row) -> None:
    assert row.problem is None, row.problem
    declaration, base = SERVICES[row.service]
    model, settings = declaration.model, dict(base)
    for earlier in ROWS:
        if earlier is row:
            break
        if earlier.service == row.service and earlier.problem is None:
            settings = set_path(settings, earlier.field, earlier.value)
    before = get_path(model.model_validate(settings).model_dump(mode="json"), row.field)
    after = get_path(
        model.model_validate(set_path(settings, row.field, row.value)).model_dump(mode="json"), row.field
    )
    assert after != before, f"{row.id}: {row.value!r} leaves the field at {before!r}"


class _Backup(SettingsModel):
    schedule: Annotated[str, CronSchedule()] = "0 2 * * *"


class _Grown(TaskServiceSettings):
    memory: Annotated[str, MemorySize()] = "512MB"
    backup: _Backup = _Backup()


def test_a_new_field_joins_with_a_value_from_its_rule() -> None:
    found = {
        row.field: row.value for row in rows("grown", Declaration("test:Grown", _Grown), {"name": "svc"})
    }
    assert found["memory"] == "513MB" and found["backup.schedule"] == "0 3 * * *"


def test_a_field_no_value_can_be_derived_for_gets_a_row_that_names_it() -> None:
    class _Stuck(TaskServiceSettings):
        fixed: Annotated[str, MemorySize()] = "512MB"

        def model_post_init(self, _context: object) -> None:
            if self.fixed != "512MB":
                raise ValueError("fixed never changes")

    stuck_rows = rows("stuck", Declaration("test:Stuck", _Stuck), {"name": "svc"})
    [stuck] = [row for row in stuck_rows if row.field == "fixed"]
    assert stuck.value is None and stuck.problem == "no value derived for stuck.fixed (now '512MB')"
