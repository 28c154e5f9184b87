"""One module per family of chart types; `dashboards.charts.build` maps types to them."""
