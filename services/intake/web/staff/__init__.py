"""The staff area of the web front: staff users, sessions, the audit trail and the pages."""
