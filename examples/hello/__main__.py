"""The smallest provisioning program: proves the engine, the package's providers and secrets work."""

import os

import pulumi
import pulumi_command.local as local

from provisioning.sdk.local_file import LocalFile

config = pulumi.Config()
greeting = config.get("greeting") or "hello"
token = config.require_secret("token")
out_dir = config.get("outDir") or os.path.join(os.getcwd(), ".out")

motd = LocalFile("motd", path=os.path.join(out_dir, "motd.txt"), content=f"{greeting} from provisioning\n")
credentials = LocalFile("credentials", path=os.path.join(out_dir, "token.txt"), content=token, mode=0o600)

# The command sees the secret only through its environment; its output is derived, not the secret.
token_length = local.Command(
    "token-length",
    create='printf %s "$TOKEN" | wc -c | tr -d " "',
    environment={"TOKEN": token},
    triggers=[credentials.sha256],
)

pulumi.export("motd_path", motd.path)
pulumi.export("motd_sha256", motd.sha256)
pulumi.export("token_length", token_length.stdout)
