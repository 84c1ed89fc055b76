"""digest: raw article captures in, a clean static research digest out."""

__version__ = "0.1.0"
