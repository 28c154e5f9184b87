"""The server-rendered pages of the SQL workspace (Django templates + htmx + JS islands)."""
