"""The dashboard: server-rendered pages over the platform's state."""

from silkgate.web._pages import AREAS, Area, dashboard_router, mount_static

__all__ = ["AREAS", "Area", "dashboard_router", "mount_static"]
