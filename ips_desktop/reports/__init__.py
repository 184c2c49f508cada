"""PDF reports: the expense claim with its receipts, the overdue pack and the visit card."""
