"""components/taskservs."""
