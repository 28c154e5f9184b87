"""The SQL workspace: log in, the editor, saved queries, history, data sources."""
