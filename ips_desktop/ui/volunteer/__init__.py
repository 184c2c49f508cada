"""The volunteer app's windows, pages and dialogs."""
