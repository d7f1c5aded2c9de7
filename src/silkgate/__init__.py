"""silkgate: governance gateway for data crossing borders between China and ASEAN."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("silkgate")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
