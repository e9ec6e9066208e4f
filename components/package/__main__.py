"""Entry point of the component package's plugin: the engine runs it with the venv `PulumiPlugin.yaml`
names (the one `provisioning` is installed in)."""

from provisioning.components.package import serve

serve()
