"""A PostgreSQL v3 wire-protocol endpoint in front of dashwire's governed data sources."""
