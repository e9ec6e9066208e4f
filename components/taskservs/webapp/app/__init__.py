"""The web application the WebApp task service installs (`server.py`, run by the host's python3)."""
