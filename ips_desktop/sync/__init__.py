"""Sealed sync to the office: outbox, engine, transports (arrives with the sealed sync issue)."""
