"""custreport: messy customer workbooks and CRM exports in; a clean store and region reports out."""

import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("custreport")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


@functools.cache
def code_digest() -> str:
    """A hash of the package's source and templates: outputs made by other code are not up to date."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json",
                                                                                     ".yaml")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
