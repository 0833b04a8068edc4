"""Reading and writing files: SWC morphologies (`read_swc`)."""

from excitable.io.swc import read_swc as read_swc, read_swc_table as read_swc_table

__all__ = ["read_swc", "read_swc_table"]
