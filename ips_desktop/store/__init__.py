"""The encrypted vault: the only importer of sqlcipher3."""
