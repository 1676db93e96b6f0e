"""Authorization rows of the server-rendered pages, one module per feature (see ``tests/support/authz``)."""

from tests.support.probes import (
    account,
    actions,
    dashboard,
    evaluations,
    exports,
    planning,
    review,
    templates,
)

# A new feature adds its module here; the matrix fails on any route without a row.
PAGE_PROBES = [
    account.PROBES,
    templates.PROBES,
    planning.PROBES,
    review.PROBES,
    actions.PROBES,
    evaluations.PROBES,
    exports.PROBES,
    dashboard.PROBES,
]
