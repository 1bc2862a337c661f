"""Page times of the dashboard under 20 concurrent users for 60 s on loopback (issue: p95 < 300 ms, no errors).

    .venv/bin/python benchmarks/bench_web.py [--users 20] [--seconds 60] [--think 0.5:2.0] [--store PATH]
    .venv/bin/python benchmarks/bench_web.py --cold-start [--settle 15] [--periods 2016-17Q3 2015-16 ...]

The server is the real `serve` (uvicorn, one process) on 127.0.0.1 over a copy of the store (by default the
synthetic Walsall, 2013-14 to 2016-17, generated into benchmarks/out/web/). Users sign in through the form, then
browse with a think time between pages: 14 viewers, 5 analysts and 1 admin, each page chosen at random from
what their role can see, as a browser would fetch it (an indicator page, then its chart). A warm-up pass first
visits every page once as an admin and as a viewer, so the caches are as a morning's first users leave them; its times are reported apart.
Every request is bounded by the run's deadline and a timeout; only 127.0.0.1 is contacted.

--cold-start: for each period (by default every quarter and year of the store), a fresh server, as after a load
or a restart; once it has done the work it does ahead for new loads (at least `--settle` seconds, then until
it has used no CPU for a second), one viewer asks for that period's scorecard, then an indicator page and its
chart: each the first request of its kind for the period. p50 and p95 are over every period's pages, in wall
time and in the server's CPU time (/proc), the fairer figure on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "web"
CLI = Path(sys.executable).with_name("csc-scorecard")
PASSWORD = "benchmark passphrase 2026"
PERIODS = ["2016-17", "2016-17", "2016-17", "2016-17Q3", "2015-16"]  # most users look at the latest year
YEARS = ("2013-14", "2014-15", "2015-16", "2016-17")
MAX_REQUESTS = 200_000
SERVE = """
import sys
from pathlib import Path
from csc_scorecard.config import load_settings
from csc_scorecard.web import serve
settings = load_settings(db=Path(sys.argv[1]), targets=Path(sys.argv[2])).web
serve(settings, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""


def synthetic_store() -> Path:
    store = OUT / "scorecard.duckdb"
    if not store.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        returns = OUT / "returns"
        subprocess.run([str(CLI), "synth", "--la", "335", "--years", "2013-14:2016-17", "--seed", "7", "--out",
                        str(returns)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([str(CLI), "load", str(returns), "--la", "335", "--db", str(store)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return store


def roles(users: int) -> list[str]:
    analysts = max(1, users // 4)
    return ["admin"] + ["analyst"] * analysts + ["viewer"] * (users - analysts - 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def get(self, client: httpx.AsyncClient, kind: str, url: str) -> str:
        start = time.perf_counter()
        try:
            response = await client.get(url)
        except httpx.HTTPError as error:
            self.errors.append(f"{kind} {url}: {type(error).__name__}")
            return ""
        self.times[kind].append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            self.errors.append(f"{kind} {url}: HTTP {response.status_code}")
        return response.text


async def sign_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:300]
    return client


def pages(role: str, indicators: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """One page view: the requests a browser makes for it (kind, url)."""
    period = rng.choice(PERIODS)
    q = f"la=335&period={period}"
    ind = rng.choice(indicators)
    choices = [
        (35, [("overview", f"/?{q}")]),
        (40, [("indicator", f"/indicator/{ind}?{q}"), ("chart", f"/indicator/{ind}/chart.svg?{q}")]),
        (12, [("breakdown", f"/indicator/cla_count/breakdown?{q}&breakdown=age_band")]),
        (5, [("report", f"/report?{q}")]),
    ]
    if role in ("analyst", "admin"):
        choices += [(6, [("data", f"/data?{q}")]), (2, [("records", f"/indicator/{ind}/records?{q}")])]
    if role == "admin":
        choices += [(3, [("access_log", "/admin/access-log")])]
    weights = [w for w, _ in choices]
    return rng.choices([c for _, c in choices], weights)[0]


async def user(
    base: str, username: str, role: str, indicators, deadline: float, think, rec: Recorder, seed: int
):
    rng = random.Random(seed)
    client = await sign_in(base, username)
    try:
        await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all start on the same second
        while time.monotonic() < deadline and sum(map(len, rec.times.values())) < MAX_REQUESTS:
            requests = pages(role, indicators, rng)
            html = await rec.get(client, *requests[0])
            rest = [(kind, url) for kind, url in requests[1:] if kind != "chart" or "chart.svg" in html]
            await asyncio.gather(*(rec.get(client, kind, url) for kind, url in rest))
            await asyncio.sleep(rng.uniform(*think))
    finally:
        await client.aclose()


async def warm_up(base: str, indicators: list[str], rec: Recorder, username: str) -> None:
    client = await sign_in(base, username)
    try:
        for period in dict.fromkeys(PERIODS):
            q = f"la=335&period={period}"
            await rec.get(client, "overview", f"/?{q}")
            for ind in indicators:
                page = await rec.get(client, "indicator", f"/indicator/{ind}?{q}")
                if "chart.svg" in page:
                    await rec.get(client, "chart", f"/indicator/{ind}/chart.svg?{q}")
            await rec.get(client, "breakdown", f"/indicator/cla_count/breakdown?{q}&breakdown=age_band")
            if username == "user00":  # the admin; viewers may not see the data page
                await rec.get(client, "data", f"/data?{q}")
    finally:
        await client.aclose()


def percentile(values: list[float], p: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]
    )


def table(rec: Recorder, title: str) -> dict:
    print(f"\n{title}")
    print(f"{'page':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    summary = {}
    for kind, values in sorted(rec.times.items()):
        row = {"n": len(values), "p50": statistics.median(values), "p95": percentile(values, 95),
               "p99": percentile(values, 99), "max": max(values)}  # fmt: skip
        summary[kind] = row
        print(
            f"{kind:<12} {row['n']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['p99']:>8.1f} {row['max']:>8.1f}"
        )
    every = [v for values in rec.times.values() for v in values]
    if every:
        summary["all"] = {"n": len(every), "p50": statistics.median(every), "p95": percentile(every, 95)}
        print(f"{'all':<12} {len(every):>6} {summary['all']['p50']:>8.1f} {summary['all']['p95']:>8.1f}")
    print(f"errors: {len(rec.errors)}" + (f" (first: {rec.errors[:3]})" if rec.errors else ""))
    return summary


async def run(base: str, options, indicators: list[str]) -> dict:
    cold = Recorder()
    started = time.perf_counter()
    for username in ("user00", f"user{options.users - 1:02d}"):  # an admin and a viewer: both profiles
        await warm_up(base, indicators, cold, username)
    warm_seconds = time.perf_counter() - started
    rec = Recorder()
    deadline = time.monotonic() + options.seconds
    think = tuple(float(x) for x in options.think.split(":"))
    await asyncio.gather(*(
        user(base, f"user{i:02d}", role, indicators, deadline, think, rec, seed=i)
        for i, role in enumerate(roles(options.users))
    ))  # fmt: skip
    result = {
        "users": options.users, "seconds": options.seconds, "think": think,
        "warm_up": {"seconds": warm_seconds, **table(cold, f"Warm-up: every page once ({warm_seconds:.1f} s)")},
        "run": table(rec, f"{options.users} users for {options.seconds} s, think time {options.think} s"),
        "errors": rec.errors + cold.errors,
    }  # fmt: skip
    total = sum(map(len, rec.times.values()))
    print(f"requests: {total} ({total / options.seconds:.1f}/s)")
    return result


def start_server(db: Path, targets: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(db), str(targets), str(port)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def server_cpu(pid: int) -> float:
    """The server process's CPU seconds so far (user and system, from /proc; 10 ms steps)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pid: int, minimum: float, limit: float = 600) -> float:
    """Wait at least `minimum` seconds, then until the server has used no CPU for a second (its work ahead
    done); the seconds waited."""
    started = time.monotonic()
    time.sleep(minimum)
    last = server_cpu(pid)
    while time.monotonic() - started < limit:
        time.sleep(1)
        now = server_cpu(pid)
        if now - last < 0.02:
            break
        last = now
    return time.monotonic() - started


async def first_pages(
    base: str, pid: int, period: str, indicator: str, rec: Recorder, cpu: Recorder, username: str
) -> None:
    client = await sign_in(base, username)
    try:
        q = f"la=335&period={period}"
        for kind, url in (("overview", f"/?{q}"), ("indicator", f"/indicator/{indicator}?{q}"),
                          ("chart", f"/indicator/{indicator}/chart.svg?{q}")):  # fmt: skip
            before = server_cpu(pid)
            await rec.get(client, kind, url)
            cpu.times[kind].append((server_cpu(pid) - before) * 1000)
    finally:
        await client.aclose()


def cold_start(db: Path, targets: Path, options, viewer: str) -> dict:
    periods = options.periods or [f"{y}Q{q}" for y in YEARS for q in (1, 2, 3, 4)] + list(YEARS)
    rec, cpu = Recorder(), Recorder()
    waited = {}
    for period in periods:
        server, base = start_server(db, targets)
        try:
            waited[period] = settled(server.pid, options.settle)
            asyncio.run(first_pages(base, server.pid, period, options.indicator, rec, cpu, viewer))
            print(period, f"settled after {waited[period]:.0f} s:",
                  {k: (round(rec.times[k][-1]), round(cpu.times[k][-1])) for k in cpu.times}, flush=True)  # fmt: skip
        finally:
            stop(server)
    return {"periods": periods, "settled_seconds": waited,
            "wall": table(rec, f"Cold start per period ({len(periods)} periods): wall ms"),
            "server_cpu": table(cpu, "the same requests: the server's CPU ms"),
            "errors": rec.errors}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", default="0.5:2.0", help="MIN:MAX seconds between a user's pages")
    parser.add_argument("--store", type=Path, help="a store to serve (default: the synthetic Walsall)")
    parser.add_argument(
        "--cold-start", action="store_true", help="a fresh server per period, first pages timed"
    )
    parser.add_argument(
        "--periods", nargs="*", help="--cold-start: the periods (default: every quarter and year)"
    )
    parser.add_argument(
        "--settle", type=float, default=15, help="--cold-start: seconds between start and request"
    )
    parser.add_argument("--indicator", default="cla_rate", help="--cold-start: the indicator page asked for")
    options = parser.parse_args()

    from csc_scorecard.catalogue import load_catalogue
    from csc_scorecard.web.state import StateStore

    store = options.store or synthetic_store()
    run_dir = OUT / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    db = run_dir / "scorecard.duckdb"
    shutil.copyfile(store, db)
    state = StateStore(run_dir / "scorecard.web.sqlite")
    for i, role in enumerate(roles(options.users)):
        state.create_user(f"user{i:02d}", PASSWORD, role)
    from csc_scorecard.examples import TARGETS as targets

    if options.cold_start:
        result = cold_start(db, targets, options, f"user{options.users - 1:02d}")
        (OUT / "cold_start.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"written to {OUT / 'cold_start.json'}")
        return
    server, base = start_server(db, targets)
    try:
        indicators = list(load_catalogue().ids())
        result = asyncio.run(run(base, options, indicators))
    finally:
        stop(server)
    (OUT / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written to {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
