"""Entry point of the policy pack: pulumi runs it with the Python that has `provisioning` installed."""

from provisioning.policies import serve_pack

serve_pack()
