"""providers/custom_cloud."""
