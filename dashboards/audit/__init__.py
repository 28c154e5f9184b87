"""The audit log's writers: `changes` records who changed what (saved queries, dashboards,
sharing, data sources), `batches` writes the wire endpoint's statement rows in bulk. The
statement rows of other origins are written by governance, where a statement is decided."""
