"""digest: raw article captures in, a clean static research digest out."""

# The one place the version is set: pyproject.toml reads it (dynamic version), and `digest init` pins the
# GitHub Pages workflow it writes to it.
__version__ = "0.1.0"
# The distribution's name on the package index (pyproject.toml's `name`); the command stays `digest`.
DISTRIBUTION = "digest-ssg"
