"""HTTP interface: a thin FastAPI shell over the packages below it."""

from silkgate.api._app import create_app, serve
from silkgate.api._errors import status_for

__all__ = ["create_app", "serve", "status_for"]
