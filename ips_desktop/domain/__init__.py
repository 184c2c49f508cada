"""Pure rules and value types. No I/O, no Qt, no database: every clock is injected."""
