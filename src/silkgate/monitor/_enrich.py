"""Enrichment: IP → country offline (geoip2fast), a cross-border flag, party and dataset.

Countries come from geoip2fast's bundled database: private, reserved and unknown addresses
get none, and a flow is cross-border only when both ends have a country and they differ.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from geoip2fast import GeoIP2Fast


class Enricher:
    """Adds ``src_country``, ``dst_country``, ``cross_border``, ``party`` and ``dataset``.

    ``networks`` maps CIDR blocks to party ids (a party's address space); ``jurisdictions``
    maps party ids to their jurisdiction, which wins over the IP's country; ``datasets``
    maps ``(party, dst_port)`` or party alone to the dataset it serves.
    """

    def __init__(
        self,
        *,
        networks: Mapping[str, str] | None = None,
        jurisdictions: Mapping[str, str] | None = None,
        datasets: Mapping[str, str] | None = None,
    ) -> None:
        self._geo = GeoIP2Fast()
        self._networks = [(ipaddress.ip_network(c), p) for c, p in (networks or {}).items()]
        self._jurisdictions = dict(jurisdictions or {})
        self._datasets = dict(datasets or {})
        self._countries: dict[str, str | None] = {}

    def country(self, ip: object) -> str | None:
        if not isinstance(ip, str) or not ip:
            return None
        if ip not in self._countries:
            code = str(self._geo.lookup(ip).country_code)
            self._countries[ip] = code if len(code) == 2 and code.isalpha() else None
        return self._countries[ip]

    def party(self, ip: object) -> str | None:
        if not isinstance(ip, str) or not self._networks:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for network, party in self._networks:
            if address in network:
                return party
        return None

    def _map_unique(
        self, values: pd.Series, fn: Callable[[object], str | None]
    ) -> npt.NDArray[np.object_]:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        looked = np.array([fn(u) for u in uniques] + [None], dtype=object)
        return np.asarray(looked[np.where(codes < 0, len(uniques), codes)], dtype=object)

    def enrich(self, events: pd.DataFrame) -> pd.DataFrame:
        """Return a copy with the enrichment columns filled where they were missing."""
        out = events.copy()
        for end in ("src", "dst"):
            ip_col, country_col = f"{end}_ip", f"{end}_country"
            known = out[country_col].to_numpy(dtype=object)
            parties = self._map_unique(out[ip_col], self.party)
            if end == "src":
                current = out["party"].to_numpy(dtype=object)
                out["party"] = np.where(pd.isna(current), parties, current)
            by_party = np.array([self._jurisdictions.get(p) if p else None for p in parties])
            by_ip = self._map_unique(out[ip_col], self.country)
            filled = np.where(pd.isna(known), np.where(pd.isna(by_party), by_ip, by_party), known)
            out[country_col] = filled
        if self._datasets:
            current = out["dataset"].to_numpy(dtype=object)
            guess = np.array([self._datasets.get(p) if p else None for p in out["party"]])
            out["dataset"] = np.where(pd.isna(current), guess, current)
        src, dst = out["src_country"], out["dst_country"]
        out["cross_border"] = src.notna() & dst.notna() & (src != dst)
        return out
