"""nightcall: production debugging, from the telemetry services already emit to the cause."""

__version__ = "0.1.0"

__all__ = ["__version__"]
