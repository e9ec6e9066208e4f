"""`destroy` of the whole stack with `keep_data` on the database and `keep_storage` on its server: the
server goes, its disk stays as a volume, and the database's data directory (with the row written before)
is on that volume."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.host_services import retained_disk
from tests.e2e.kernel import leftovers
from tests.e2e.taskservice_support import database_cloud, database_stack
from tests.support.cloud import stop_cloud

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]


def test_keep_data_outlives_the_server_on_a_retained_volume(tmp_path: Path) -> None:
    with database_cloud(tmp_path) as cloud:
        stack = database_stack(cloud, tmp_path, cidr="10.49.0.0/16", settings={"keep_data": True})
        try:
            stack.project.config_set("database:keepStorage", "true")
            stack.project.up()
            server = stack.outputs()["primary_id"]
            stack.trust(server)
            address = stack.outputs()["primary_private_ip"]
            stack.psql(address, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('on the volume')",
                       root_cert=stack.certificate(server))  # fmt: skip

            stack.project.destroy()

            assert stack.api.get("/instances").raise_for_status().json()["items"] == []
            [volume] = [v for v in stack.api.get("/volumes").raise_for_status().json()["items"]
                        if v["source_instance_id"] == server]  # fmt: skip
            assert volume["name"] == "db-primary-disk"
            disk = retained_disk(tmp_path / "cloud", volume["id"])
            assert (disk / "var" / "lib" / "customdb" / "data" / "PG_VERSION").read_text().strip() == "15"
            assert stack.api.delete(f"/volumes/{volume['id']}").status_code == 204
        finally:
            stack.api.close()
            stop_cloud(cloud.process)
    left = leftovers(tmp_path / "cloud")
    assert left == {"netns": [], "links": [], "routes": [], "mounts": [], "processes": []}, left
