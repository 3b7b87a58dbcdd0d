"""Routers: pages (HTML), admin, JSON API, health."""
