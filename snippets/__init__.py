"""Jinja2 snippets, one per section of the guide. Shipped as package data; see docs/snippets.md."""
