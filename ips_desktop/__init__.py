"""IPS Desktop: encrypted case notes, home-visit safety and expenses for volunteer IPSs."""

__version__ = "0.1.0"
