"""The server-rendered pages (Django templates + htmx + JS islands), and the non-JSON
responses they link to: a dashboard's event stream, file downloads, PNG/PDF exports. What
the pages' JavaScript reads or changes goes through the JSON API (`dashboards.api`)."""
