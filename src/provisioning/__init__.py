"""provisioning: infrastructure as code on Pulumi (providers, task services, clusters)."""

__version__ = "0.1.0"
__all__ = ["__version__"]
