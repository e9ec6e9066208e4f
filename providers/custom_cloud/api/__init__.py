"""The Custom Cloud API v1 contract: request/response models, catalog and error codes.

Imports no Pulumi: the local Custom Cloud service and any other HTTP client can use it alone."""
