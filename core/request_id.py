"""The current request's id, readable from anywhere in the same task or thread."""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
