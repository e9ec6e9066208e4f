"""Project templates: `pulumi new` templates (one folder each, with its `Pulumi.yaml`, named by the
`provisioning.templates` entry points) and, in `extension/`, the skeletons `provisioning extension new`
renders."""
