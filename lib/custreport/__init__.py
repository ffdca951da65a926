"""custreport: messy customer workbooks and CRM exports in; a clean store and region reports out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("custreport")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
