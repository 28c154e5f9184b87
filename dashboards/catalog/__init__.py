"""The data sources users query (catalogs of `catalog.schema.table`): adding, checking and
removing them, and the data version the app's own loaders bump."""
