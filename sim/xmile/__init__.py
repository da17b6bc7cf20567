"""XMILE, the OASIS file format of system-dynamics models: read any XMILE 1.0 model into a
`Model`, write any `Model` as XMILE (``read(write(m)) == m``)."""

from .reader import read_xmile, reads_xmile
from .writer import write_xmile, writes_xmile

__all__ = ["read_xmile", "reads_xmile", "write_xmile", "writes_xmile"]
