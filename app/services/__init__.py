"""Use cases shared by the web layer and the CLI: the core plus the database."""
