"""Key handling: passphrase keyslots, the OS keyring adapter, record data keys."""
