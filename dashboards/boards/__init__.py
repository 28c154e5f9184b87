"""Dashboards and visualizations: their service functions, who may see and change them,
filters and the parameters they give widgets, the event stream that loads a board, each
widget's figure, sharing (users, groups, public links, signed embeds), JSON export/import
and PNG/PDF snapshots."""
