"""`curvehouse report`: a self-contained static site (HTML, PDF, markdown) rendered from the warehouse tables."""

from curvehouse.report.reader import DuckDBReader, SnowflakeReader, TableReader
from curvehouse.report.site import ReportResult, build_report

__all__ = ["DuckDBReader", "SnowflakeReader", "TableReader", "ReportResult", "build_report"]
