#!/usr/bin/env python3
"""A test cluster of OpenSearch 2.19 nodes on loopback, started from the jars on Maven Central.

No distribution download and no container: ``scripts/opensearch/`` is a small Maven module whose
dependencies are OpenSearch's published jars (the server and the modules a distribution loads) and
whose one class starts a node from them. Maven resolves them once into the cache folder
(``~/.cache/searchlib-opensearch``, or ``$SEARCHLIB_OPENSEARCH_CACHE``: about 110 MB); after that
nothing is downloaded. Each node is its own ``java`` process (1 GB heap by default).

    python scripts/opensearch_cluster.py start            # two nodes: HTTP on 9200 and 9201
    python scripts/opensearch_cluster.py status
    python scripts/opensearch_cluster.py stop

``start`` builds when needed, starts the nodes in the background (their logs in RUNDIR/node-N.log),
writes their PIDs to RUNDIR/pids and returns once the cluster is green with every node in it.
``stop`` ends the processes recorded there, and only those. RUNDIR is ``--dir`` (default: ``run/``
in the cache folder). Needs Java 17 or later, and Maven for the first build. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

MODULE = Path(__file__).resolve().parent / "opensearch"
NODE_CLASS = "searchlib.cluster.OsNode"
JAR = "searchlib-opensearch-node.jar"
#: Small and quick to start, for tests on a 2-core machine: the serial collector, the client
#: compiler only (``--full-jit`` adds the server compiler: slower to start, faster once warm, for
#: benchmarks). Netty must not size itself from the cores (OpenSearch sets that once per JVM), nor
#: reach for sun.misc.Unsafe; log4j registers no JMX beans.
JVM_FLAGS = [
    "-XX:+UseSerialGC",
    "-Dopensearch.set.netty.runtime.available.processors=false", "-Dio.netty.noUnsafe=true",
    "-Dlog4j2.disable.jmx=true", "-Djava.locale.providers=SPI,CLDR",
]  # fmt: skip
QUICK_JIT = ["-XX:TieredStopAtLevel=1"]
#: Each node's heap. 512 MB tripped the cluster's memory breaker (HTTP 429) with the whole test
#: suite's indexes open (several hundred shards) while a benchmark ran beside it.
HEAP = "1g"
#: Seconds a node has to close after TERM before it is sent KILL.
GRACE = 30
LOG_TAIL = 12


class ClusterError(Exception):
    """A one-line reason the command failed; ``details`` (log lines) are printed after it."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


def cache_dir() -> Path:
    return Path(os.environ.get("SEARCHLIB_OPENSEARCH_CACHE") or Path.home() / ".cache" / "searchlib-opensearch")


def _sources_digest() -> str:
    """What the build is made from: when it changes, the cached build is stale."""
    digest = hashlib.sha256()
    for path in sorted([MODULE / "pom.xml", *(MODULE / "src").rglob("*")]):
        if path.is_file():
            digest.update(path.relative_to(MODULE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _need(program: str, why: str) -> str:
    found = shutil.which(program)
    if not found:
        raise ClusterError(f"{program} is not on PATH: {why}")
    return found


def _tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(f"  {path.name}: {line[:300]}" for line in text[-lines:])


def build(cache: Path, *, force: bool = False) -> bool:
    """Compile the node class and copy its runtime jars into ``cache``, unless a build of the
    same sources is there already. Returns whether it built."""
    stamp, digest = cache / "built", _sources_digest()
    if not force and stamp.is_file() and stamp.read_text().strip() == digest and (cache / "build" / JAR).is_file():
        return False
    mvn = _need("mvn", "the first build resolves OpenSearch's jars with Maven (Debian: apt-get install maven)")
    _need("javac", "building the node class needs a JDK 17 or later (Debian: apt-get install openjdk-17-jdk-headless)")
    cache.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(cache / "lib", ignore_errors=True)  # no jars left over from another version
    stamp.unlink(missing_ok=True)
    log = cache / "build.log"
    command = [
        mvn, "-q", "-B", f"-Dmaven.repo.local={cache / 'm2'}", f"-Dsearchlib.build={cache / 'build'}",
        "package", "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={cache / 'lib'}",
    ]  # fmt: skip
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=MODULE, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise ClusterError(f"the Maven build failed (exit {done.returncode}); its output is in {log}", _tail(log))
    stamp.write_text(digest + "\n")
    return True


def _node_settings(number: int, count: int, rundir: Path, port: int, cluster_name: str) -> list[str]:
    name, home = f"node-{number}", rundir / f"node-{number}"
    settings = {
        "cluster.name": cluster_name,
        "node.name": name,
        "path.home": home,
        "path.data": home / "data",
        "path.logs": home / "logs",
        "network.host": "127.0.0.1",
        "http.port": port + number - 1,
        "transport.port": port + 100 + number - 1,
        # A test machine's disk may be fuller than production's watermarks allow: allocate anyway.
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    }
    if count == 1:
        settings["discovery.type"] = "single-node"
    else:
        settings["discovery.seed_hosts"] = ",".join(f"127.0.0.1:{port + 100 + n}" for n in range(count))
        settings["cluster.initial_cluster_manager_nodes"] = ",".join(f"node-{n + 1}" for n in range(count))
    return [f"{key}={value}" for key, value in settings.items()]


def _pids(rundir: Path) -> list[int]:
    try:
        return [int(line) for line in (rundir / "pids").read_text().split()]
    except (OSError, ValueError):
        return []


def _is_ours(pid: int) -> bool:
    """Whether ``pid`` is a live node process (not a zombie, not a reused PID)."""
    proc = Path("/proc") / str(pid)
    if proc.is_dir():
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            return state != "Z" and NODE_CLASS.encode() in (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            return False
    try:  # no /proc: only whether it lives
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _ports_free(ports: list[int]) -> None:
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise ClusterError(f"port {port} on 127.0.0.1 is in use (another cluster?): stop it or pick --port") from None


def _health(url: str, nodes: int) -> dict | None:
    query = f"/_cluster/health?wait_for_nodes={nodes}&wait_for_status=green&timeout=2s"
    try:
        with urllib.request.urlopen(url + query, timeout=10) as answer:
            health = json.load(answer)
    except (OSError, ValueError):  # refused while starting, 408 until green
        return None
    return health if health.get("status") == "green" and not health.get("timed_out") else None


def _wait_green(url: str, nodes: list[tuple[str, subprocess.Popen, Path]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process, log in nodes:
            if process.poll() is not None:
                reason = f"{name} exited with code {process.returncode} before the cluster was ready; its log: {log}"
                raise ClusterError(reason, _tail(log))
        if _health(url, len(nodes)):
            return
        time.sleep(0.5)
    logs = "\n".join(_tail(log) for _, _, log in nodes)
    reason = f"the cluster at {url} was not green with {len(nodes)} nodes after {timeout:g} s; logs in {nodes[0][2].parent}"
    raise ClusterError(reason, logs)


def _spawn(java: str, cache: Path, rundir: Path, number: int, arguments: list[str], jvm: list[str]) -> tuple[subprocess.Popen, Path]:
    log = rundir / f"node-{number}.log"
    classpath = os.pathsep.join([str(cache / "build" / JAR), str(cache / "lib" / "*")])
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [java, *jvm, "-cp", classpath, NODE_CLASS, *arguments],
            cwd=rundir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this script, and a Ctrl-C in its terminal
        )  # fmt: skip
    with (rundir / "pids").open("a") as pids:  # at once, so that `stop` finds a half-started cluster
        pids.write(f"{process.pid}\n")
    return process, log


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def start(  # noqa: PLR0913
    rundir: Path, *, nodes: int, port: int, cluster_name: str, timeout: float, keep_data: bool,
    heap: str = HEAP, full_jit: bool = False,
) -> str:  # fmt: skip
    """Start ``nodes`` nodes and wait until the cluster is green; returns its URL. A start that
    fails or is interrupted stops the nodes it started."""
    java = _need("java", "OpenSearch 2.19 needs Java 17 or later (Debian: apt-get install openjdk-17-jdk-headless)")
    cache = cache_dir()
    build(cache)
    running = [pid for pid in _pids(rundir) if _is_ours(pid)]
    if running:
        raise ClusterError(f"a cluster started from {rundir} is running (PIDs {' '.join(map(str, running))}): stop it first")
    _ports_free([port + n for n in range(nodes)] + [port + 100 + n for n in range(nodes)])
    rundir.mkdir(parents=True, exist_ok=True)
    for number in range(1, nodes + 1):
        if not keep_data:
            shutil.rmtree(rundir / f"node-{number}", ignore_errors=True)
    (rundir / "pids").unlink(missing_ok=True)
    url = f"http://127.0.0.1:{port}"
    (rundir / "url").write_text(url + "\n")
    started: list[tuple[str, subprocess.Popen, Path]] = []
    jvm = [f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, *([] if full_jit else QUICK_JIT)]
    try:
        for number in range(1, nodes + 1):
            arguments = _node_settings(number, nodes, rundir, port, cluster_name)
            started.append((f"node-{number}", *_spawn(java, cache, rundir, number, arguments, jvm)))
        _wait_green(url, started, timeout)
    except BaseException:
        stop(rundir, quiet=True)
        raise
    return url


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        time.sleep(0.2)
        pids = [pid for pid in pids if _is_ours(pid)]
    return pids


def _signal(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def stop(rundir: Path, *, grace: float = GRACE, quiet: bool = False) -> int:
    """End the node processes recorded in RUNDIR/pids: TERM, then KILL those still there after
    ``grace`` seconds. Returns how many were running."""
    recorded = _pids(rundir)
    alive = [pid for pid in recorded if _is_ours(pid)]
    _signal(alive, signal.SIGTERM)
    stubborn = _wait_gone(alive, grace)
    _signal(stubborn, signal.SIGKILL)
    left = _wait_gone(stubborn, 10)
    if left:
        raise ClusterError(f"PIDs {' '.join(map(str, left))} did not end after KILL")
    (rundir / "pids").unlink(missing_ok=True)
    if not quiet:
        killed = f", {len(stubborn)} of them killed after {grace:.0f} s" if stubborn else ""
        print(f"stopped {len(alive)} node(s) of {rundir}{killed}" if alive else f"no node of {rundir} was running")
    return len(alive)


def _status_lines(rundir: Path) -> Iterator[str]:
    pids = _pids(rundir)
    if not pids:
        yield f"no cluster recorded in {rundir}"
        return
    for number, pid in enumerate(pids, 1):
        yield f"node-{number}: PID {pid} {'running' if _is_ours(pid) else 'not running'}, log {rundir / f'node-{number}.log'}"
    url = (rundir / "url").read_text().strip() if (rundir / "url").is_file() else "http://127.0.0.1:9200"
    try:
        with urllib.request.urlopen(url + "/_cluster/health", timeout=5) as answer:
            health = json.load(answer)
        yield f"{url}: {health['status']}, {health['number_of_nodes']} node(s), {health['active_shards']} active shard(s)"
    except (OSError, ValueError) as error:
        yield f"{url}: does not answer ({error})"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    built = commands.add_parser("build", help="resolve the jars and compile the node class (skipped when built)")
    built.add_argument("--force", action="store_true", help="build even when a build of the same sources is there")
    started = commands.add_parser("start", help="start the nodes in the background and wait until the cluster is green")
    started.add_argument("--nodes", type=int, default=2, help="how many nodes (default 2)")
    started.add_argument("--port", type=int, default=9200, help="the first node's HTTP port; transport ports are 100 higher (default 9200)")
    started.add_argument("--cluster-name", default="searchlib-test")
    started.add_argument("--timeout", type=float, default=240, help="seconds to wait for green (default 240)")
    started.add_argument("--keep-data", action="store_true", help="keep the nodes' data from an earlier start")
    started.add_argument("--heap", default=HEAP, help=f"each node's Java heap (default {HEAP})")
    started.add_argument("--full-jit", action="store_true", help="the JVM's server compiler too: slower to start, faster warm (for benchmarks)")
    stopped = commands.add_parser("stop", help="stop the nodes recorded in RUNDIR/pids")
    stopped.add_argument("--grace", type=float, default=GRACE, help=f"seconds between TERM and KILL (default {GRACE})")
    commands.add_parser("status", help="the recorded nodes and the cluster's health")
    for command in (started, stopped, commands.choices["status"]):
        command.add_argument("--dir", type=Path, help="the run folder (default: run/ in the cache folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # TERM (CI's clean-up, `kill`) ends a build or a start like Ctrl-C: Maven and the nodes started stop too.
    signal.signal(signal.SIGTERM, _interrupted)
    rundir = (getattr(args, "dir", None) or cache_dir() / "run").resolve()
    began = time.monotonic()
    try:
        if args.command == "build":
            did = build(cache_dir(), force=args.force)
            print(f"built in {cache_dir()} in {time.monotonic() - began:.0f} s" if did else f"already built in {cache_dir()}")
        elif args.command == "start":
            url = start(
                rundir, nodes=args.nodes, port=args.port, cluster_name=args.cluster_name,
                timeout=args.timeout, keep_data=args.keep_data, heap=args.heap, full_jit=args.full_jit,
            )  # fmt: skip
            took, pids = time.monotonic() - began, " ".join(map(str, _pids(rundir)))
            print(f"OpenSearch cluster of {args.nodes} node(s) green at {url} in {took:.0f} s (run folder {rundir}, PIDs {pids})")
        elif args.command == "stop":
            stop(rundir, grace=args.grace)
        else:
            print("\n".join(_status_lines(rundir)))
    except ClusterError as error:
        print(f"opensearch_cluster: error: {error}", file=sys.stderr)
        if error.details:
            print(error.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"opensearch_cluster: {args.command} interrupted; nothing it started is left running", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
