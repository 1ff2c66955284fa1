"""Base templates, static files, navigation and the home page."""
