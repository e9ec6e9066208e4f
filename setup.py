"""Maps the top-level folders onto the `provisioning` import root (see pyproject.toml)."""

from setuptools import find_packages, setup

SUBPACKAGE_FOLDERS = ("sdk", "providers", "components", "policies", "emulator", "templates")

package_dir = {"provisioning": "src/provisioning"}
packages = ["provisioning"]
packages += [f"provisioning.{sub}" for sub in find_packages(where="src/provisioning")]
for folder in SUBPACKAGE_FOLDERS:
    root = f"provisioning.{folder}"
    package_dir[root] = folder
    packages.append(root)
    packages += [f"{root}.{sub}" for sub in find_packages(where=folder)]

setup(package_dir=package_dir, packages=packages)
