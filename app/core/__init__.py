"""Web plumbing every domain shares: routers, forms, CSRF, middleware, templating, errors."""
