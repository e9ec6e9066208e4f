"""Finds servers made by another stack: by label (`get_servers_output`), by name (`get_server`), and adopts
one read-only by id (`Server.get`, config `t:getId`)."""

import pulumi

from provisioning.providers.custom_cloud import Server, get_server, get_servers_output

config = pulumi.Config("t")
web = get_servers_output(labels={"app": "shop", "tier": "web"}, zone="us-west-1a")
pulumi.export("web_private_ips", web.apply(lambda found: sorted(s.addresses.private_ip for s in found)))
pulumi.export("web_names", web.apply(lambda found: sorted(s.name for s in found)))

named = get_server(name=config.get("name") or "db", zone="us-west-1a")
pulumi.export("named_private_ip", named.addresses.private_ip)
pulumi.export("named_labels", named.labels)

get_id = config.get("getId")
if get_id:
    adopted = Server.get("adopted", get_id)
    pulumi.export("adopted_labels", adopted.labels)
    pulumi.export("adopted_private_ip", adopted.private_ip)
