"""Benchmark: fetch 12 IONOS periods from the fake Billing API with 100 ms per request.

Prints the wall time against the sum of the latencies a sequential client would wait, and
the most requests in flight (seen by the client and by the server) against the bound.
With bound N the ideal is about ``sequential / N`` plus the two discovery calls (the
profile and the invoice list come first, one after the other).

The fake API runs in its own process, so its Python work does not compete with the
client's for one interpreter lock; the figures are the client's.

Usage::

    .venv/bin/python bench/bench_fetch.py                    # bounds 8 (default) and 16
    .venv/bin/python bench/bench_fetch.py --bound 16 --latency 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection

from focus_ionos_plugin.ionos.client import BillingClient
from focus_ionos_plugin.ionos.fetch import fetch_periods
from focus_ionos_plugin.ionos.settings import Credentials, IonosSettings
from focus_ionos_plugin.periods import month_range

MONTHS = month_range("2026-01", "2026-12")
TOKEN = "bench-token"


def serve(latency: float, pipe: Connection) -> None:
    """Child process: serve a 12-month demo account until told to stop."""
    from focus_ionos_plugin.ionos.demo.account import build_account
    from focus_ionos_plugin.ionos.demo.server import FakeBillingApi

    with FakeBillingApi(build_account(closed_months=11), latency=latency) as api:
        pipe.send(api.base_url)
        while (command := pipe.recv()) != "stop":
            if command == "reset":
                api.reset_stats()
            pipe.send((len(api.requests), api.max_in_flight))


def measure(base_url: str, pipe: Connection, bound: int, latency: float) -> None:
    """Fetch every month once with ``bound`` requests in flight and print the figures."""
    settings = IonosSettings(
        base_url=base_url, credentials=Credentials(token=TOKEN), max_in_flight=bound
    )

    async def work() -> tuple[BillingClient, int]:
        async with BillingClient(settings) as client:
            batches = await fetch_periods(client, MONTHS)
        return client, sum(len(batch.entries) for batch in batches)

    pipe.send("reset")
    pipe.recv()
    started = time.perf_counter()
    client, entries = asyncio.run(work())
    wall = time.perf_counter() - started
    pipe.send("stats")
    requests, server_peak = pipe.recv()
    sequential = requests * latency
    print(f"bound {bound:>2}: {requests} requests, {entries} entries in 12 batches")
    print(f"  sequential sum of latencies  {sequential:7.2f} s")
    print(f"  wall time                    {wall:7.2f} s   ({sequential / wall:.1f}x faster)")
    print(
        f"  peak in flight: client {client.peak_in_flight}, server {server_peak} "
        f"(bound {bound}{', EXCEEDED' if server_peak > bound else ''})"
    )


def main() -> None:
    """Run the benchmark for each requested bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bound", type=int, action="append", help="max in flight (repeat)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    args = parser.parse_args()
    print(f"12 periods {MONTHS[0]}..{MONTHS[-1]}, {args.latency * 1000:.0f} ms per request")
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args.latency, theirs), daemon=True)
    server.start()
    try:
        base_url = ours.recv()
        for bound in args.bound or [8, 16]:
            measure(base_url, ours, bound, args.latency)
    finally:
        ours.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
