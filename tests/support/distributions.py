"""Installing a plugin's distribution with pip into a folder of its own, for other processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata, util
from pathlib import Path


def _builds_without_isolation() -> bool:
    """Whether setuptools here can build a wheel itself (>= 70.1, or with ``wheel``)."""
    if util.find_spec("wheel") is not None:
        return True
    major, minor = (int(p) for p in metadata.version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1)


def pip_install(source: Path, workdir: Path) -> Path:
    """Install the distribution at ``source`` into a folder of its own; return the folder.

    Processes started with that folder on ``PYTHONPATH`` find the plugin through
    its entry point, as if it were installed in the environment; the shared
    virtual environment is never changed, so tests running beside this one in
    other workers cannot see a half-installed package.

    NOTE: pip builds in the source tree (build/, *.egg-info); a copy keeps the
    repository clean. Without a local wheel builder the build is isolated,
    which fetches setuptools from the configured index: slower, still correct.
    """
    copy = workdir / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                "__pycache__"))
    target = workdir / "site"
    args = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
            str(target)]
    if _builds_without_isolation():
        args.append("--no-build-isolation")
    done = subprocess.run([*args, str(copy)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return target
