"""The dashboard: server-rendered pages over the platform's state.

Overview and catalog are public; orders, decisions, the ledger, compute tasks, billing, audit,
trust and the monitor need a signed-in API token and show what the REST API would show that
token.
"""

from silkgate.web._areas import AREAS, Area
from silkgate.web._dashboard import install_dashboard

__all__ = ["AREAS", "Area", "install_dashboard"]
