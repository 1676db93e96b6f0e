"""Authorization rows of the server-rendered pages, one module per feature (see ``tests/support/authz``)."""

from tests.support.probes import account

# Each feature appends its module's ``PROBES`` here.
PAGE_PROBES = [account.PROBES]
