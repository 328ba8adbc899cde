"""Pure ASGI middleware (no BaseHTTPMiddleware): request ids, caching, rate limits."""
