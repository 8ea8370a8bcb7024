"""The embedded demo account and the fake IONOS Billing API that serves it on loopback.

- :mod:`.server`: :class:`~.server.FakeBillingApi` (real HTTP server on 127.0.0.1, faults,
  request log) and :func:`~.server.demo_server` for the ``--demo`` flag.
- :mod:`.account`: :func:`~.account.build_account`, every payload of a generated contract
  (the defaults are the shipped demo account; bigger ones for benchmarks).
- :mod:`.shipped`: the shipped data files (``data/``) and :func:`~.shipped.write_demo_data`.

The story and its exact figures (invoice totals, lines, rebate, price change, unpriced
meter) are in ``README.md`` next to this file.
"""
