"""The web layer: FastAPI app, pages, htmx partials, JSON API, auth, i18n."""
