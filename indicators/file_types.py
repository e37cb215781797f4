"""The spreadsheet files the app reads and writes, and the content types it serves them with."""

from __future__ import annotations

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# ?format=… and template names: the file's extension -> its content type.
CONTENT_TYPES = {"csv": CSV, "xlsx": XLSX}
