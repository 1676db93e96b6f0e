"""Authorization rows of the server-rendered pages, one module per feature (see ``tests/support/authz``)."""

from tests.support.probes import account, templates, planning, review, actions, evaluations, exports, dashboard

PAGE_PROBES = [account.PROBES, templates.PROBES, planning.PROBES, review.PROBES, actions.PROBES, evaluations.PROBES, exports.PROBES, dashboard.PROBES]
