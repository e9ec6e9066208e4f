"""components/clusters."""
