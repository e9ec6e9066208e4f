"""A cluster component whose config (stack config object `cluster`) says how many servers each tier has."""

import pulumi
from mini import MiniConfig

from provisioning.providers.custom_cloud import Server

config = MiniConfig.model_validate(pulumi.Config().require_object("cluster"))


class Mini(pulumi.ComponentResource):
    def __init__(self, name: str, config: MiniConfig) -> None:
        super().__init__("test:clusters:Mini", name, config.model_dump(mode="json"))
        for tier in ("web", "app"):
            for i in range(getattr(config, f"{tier}_tier").replicas):
                Server(f"{config.app_name}-{tier}-{i}", machine_type="micro", zone="us-west-1a",
                       opts=pulumi.ResourceOptions(parent=self))  # fmt: skip
        self.register_outputs({"endpoints": {"web": "http://127.0.0.1:9"}})


Mini("mini", config)
