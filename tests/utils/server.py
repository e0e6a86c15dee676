"""A real uvicorn server in a thread, on a free loopback port (fitdoc.runtime starts it)."""

from fitdoc.runtime import serve_in_thread

__all__ = ["serve_in_thread"]
