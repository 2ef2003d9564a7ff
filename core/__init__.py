"""Infrastructure shared by every area: app factory, database, tenancy, mail outbox, rendering."""
