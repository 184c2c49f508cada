"""PDF reports: expense claim, parent copy of agreed actions, overdue pack (later issues)."""
