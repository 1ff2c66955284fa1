"""InsideOut: the internal service cooperation platform."""

__version__ = "0.1.0"
