"""The demo `make run` loads: plotly's bundled data sets as a DuckDB source and a Delta
lake (`datasets`), and two dashboards over them (`dashboards`)."""
