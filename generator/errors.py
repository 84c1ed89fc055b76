"""One error type for everything a user can get wrong: it always names the file (and line)."""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """A problem with the user's input, reported as one line: ``file:line: message``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self) -> tuple[type[DigestError], tuple[str, Path | None, int | None]]:
        # Keep file and line when the error crosses a process boundary (parallel rendering).
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(DigestError):
    """site.yaml is missing, malformed or names a key the schema does not know."""


class FrontMatterError(DigestError):
    """An article's front matter cannot be read."""


class CaptureError(DigestError):
    """A capture cannot be turned into an article (empty, binary, too large, no article in it)."""
