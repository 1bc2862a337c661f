"""csc-scorecard: Children's Services performance reporting from a council's own statutory returns."""

__version__ = "0.1.0"
