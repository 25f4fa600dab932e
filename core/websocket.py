"""Authentication for WebSocket connections: the browser's session cookie."""

from channels.auth import AuthMiddlewareStack

__all__ = ["AuthMiddlewareStack"]
