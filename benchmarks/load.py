"""Load test of `searchlib serve` on loopback: N concurrent clients for a bounded time.

Starts the server as its own process (as a user would), then keeps ``--clients`` requests in
flight for ``--seconds``: searches drawn from the index's own titles (two to four words, half typed
without accents), a share of them with facets, and article views. Prints requests/s, latency
percentiles and every non-200 answer; exits 1 if any request failed.

    python benchmarks/load.py --index /tmp/orangesum-index                 # 32 clients, 30 s
    python benchmarks/load.py --index index --clients 32 --seconds 30 --workers 2 --json

The client runs on the same machine (2 cores here): it takes CPU from the server, so figures are
a floor; compare runs made in the same conditions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

try:  # Starlette's test client moved to httpx2; either drives the load
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]
from unidecode import unidecode

from searchlib import Archive

WORD = re.compile(r"\w{4,}")


def requests_for(index: Path, count: int, seed: int = 7) -> list[tuple[str, dict[str, str]]]:
    """``count`` requests (path, params) built from the articles in the index."""
    rng = random.Random(seed)
    with Archive.open(index) as archive:
        articles = [(article.id, article.title) for _, article in zip(range(5000), archive)]
    chosen: list[tuple[str, dict[str, str]]] = []
    while len(chosen) < count:
        article_id, title = rng.choice(articles)
        words = WORD.findall(title)
        roll = rng.random()
        if roll < 0.1:
            chosen.append((f"/articles/{article_id}", {}))
            continue
        if len(words) < 2:
            continue
        start = rng.randrange(0, max(1, len(words) - 1))
        query = " ".join(words[start : start + rng.randint(2, 4)])
        if rng.random() < 0.5:
            query = unidecode(query).lower()
        params = {"q": query}
        if roll > 0.8:
            params["facets"] = "source,year"
        chosen.append(("/search", params))
    return chosen


async def _client(http: httpx.AsyncClient, plan: list[tuple[str, dict[str, str]]], stop_at: float,
                  latencies: list[float], statuses: Counter[str], offset: int) -> None:  # fmt: skip
    position = offset
    while time.monotonic() < stop_at:
        path, params = plan[position % len(plan)]
        position += 1
        started = time.perf_counter()
        try:
            response = await http.get(path, params=params)
            statuses[str(response.status_code)] += 1
        except httpx.HTTPError as error:
            statuses[type(error).__name__] += 1
            continue
        latencies.append(time.perf_counter() - started)


async def load(base_url: str, plan: list[tuple[str, dict[str, str]]], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        for path, params in plan[:clients]:  # warm every worker's searcher first
            await http.get(path, params=params)
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(*(
            _client(http, plan, stop_at, latencies, statuses, n * (len(plan) // clients)) for n in range(clients)
        ))  # fmt: skip
        elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")

    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(percentile(0.95), 1),
        "p99_ms": round(percentile(0.99), 1),
        "statuses": dict(statuses),
        "errors": sum(count for status, count in statuses.items() if status != "200"),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(index: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "searchlib", "serve", "--index", str(index), "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer /health within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path("index"), help="an index built by searchlib index")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes; one run each")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not args.index.is_dir():
        raise SystemExit(f"no index at {args.index}: build one with `searchlib index PATH --index {args.index}`")
    plan = requests_for(args.index, 2000)
    rows = []
    for workers in args.workers:
        port = free_port()
        server = serve(args.index, port, workers)
        try:
            row = asyncio.run(load(f"http://127.0.0.1:{port}", plan, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
        rows.append({"workers": workers, **row})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'workers':>7} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}  statuses")
        for row in rows:
            print(f"{row['workers']:>7} {row['clients']:>7} {row['requests_per_s']:>8} {row['p50_ms']:>8} "
                  f"{row['p95_ms']:>8} {row['p99_ms']:>8} {row['errors']:>6}  {row['statuses']}")  # fmt: skip
    sys.exit(1 if any(row["errors"] for row in rows) else 0)


if __name__ == "__main__":
    main()
