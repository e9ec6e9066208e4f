"""A server and a volume attached to it; config `t:*` changes one input at a time (`t:spare`: a second
volume too; `t:attach` spare: the attachment moves to it)."""

import pulumi

from provisioning.providers.custom_cloud import Server, Volume, VolumeAttachment

config = pulumi.Config("t")
server = Server(
    "app",
    machine_type="micro",
    zone=config.get("serverZone") or "us-west-1a",
    disk_type=config.get("diskType") or "ssd",
)
volume = Volume("data", zone=config.get("volumeZone") or "us-west-1a", size=config.get_int("size") or 20)
spare = Volume("spare", zone="us-west-1a", size=10) if config.get_bool("spare") else None
attached = spare if spare is not None and config.get("attach") == "spare" else volume
attachment = VolumeAttachment("data-on-app", volume_id=attached.id, server_id=server.id)
pulumi.export("server_id", server.id)
pulumi.export("volume_id", attached.id)
pulumi.export("attachment_id", attachment.id)
