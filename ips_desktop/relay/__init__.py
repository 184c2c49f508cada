"""The relay HTTP service: sealed envelopes, receipts and the visit watchdog (later issues)."""
