"""CSV, XLSX and PDF exports (/dashboard/exports)."""
