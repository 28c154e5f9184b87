"""Dashboards and visualizations: the grid, the public link, the embed, exports and the
visualization editor."""
