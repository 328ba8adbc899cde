"""Service layer: every SQL statement of the application lives here."""
