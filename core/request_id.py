"""The current request (and its id), readable from anywhere in the same task or thread."""

from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
current_request_var: ContextVar[Any] = ContextVar("current_request", default=None)
