"""Scale-out figures (part of bench/run.sh), on a real redis-server on a loopback port:

- pages/s of `pageflow submit` with 1 and then 2 workers of `--cores 1` against one local
  `pageflow convert --cores 2` on the same files (workers are started and their models loaded
  before the clock starts, as a long-lived worker pool would be);
- time from a worker's death (kill -9 in the middle of a slice) to its slice being stored by
  another worker, with the lease it waited out;
- Redis commands and bytes per page over the 2-worker run (redis-server's own counters: every
  client, blocking reads included), and the loopback rate of the queue's commands
  (redis-benchmark), from which how many workers one Redis instance could feed.
- pages/s and Redis bytes per page of 2 workers with other slice sizes (--sweep).
Usage: .deps/venv/bin/python bench/scale.py --pageflow build/pageflow [--slice-pages 24] FILE...
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from serve import cpu_line  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    def __init__(self, folder):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                         folder, "--save", "", "--appendonly", "yes", "--logfile", "redis.log"])
        while self.cli("PING") != ["PONG"]:
            time.sleep(0.05)

    def cli(self, *args):
        r = subprocess.run(["redis-cli", "--raw", "-p", str(self.port), *args], capture_output=True, text=True)
        return r.stdout.splitlines()

    def stats(self):
        info = dict(line.split(":", 1) for line in self.cli("INFO", "stats") if ":" in line)
        return {k: int(info[k]) for k in ("total_commands_processed", "total_net_input_bytes", "total_net_output_bytes")}

    def stop(self):
        self.process.terminate()
        self.process.wait()


def start_workers(args, redis, count, folder, extra=()):
    workers = []
    for i in range(count):
        log = open(Path(folder) / f"worker-{len(os.listdir(folder))}.log", "w+")
        p = subprocess.Popen([args.pageflow, "worker", "--redis", redis.url, "--cores", "1", "--name", f"w{i}", *extra],
                             stderr=log, stdout=subprocess.DEVNULL)
        p.log = log
        workers.append(p)
    for p in workers:  # models loaded: the worker says it is reading
        while "reading" not in Path(p.log.name).read_text():
            time.sleep(0.05)
    return workers


def stop(workers):
    for p in workers:
        p.send_signal(signal.SIGTERM)
    for p in workers:
        p.wait()


def timed(command):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pageflow", required=True)
    parser.add_argument("--slice-pages", default="24")
    parser.add_argument("--sweep", default="8,16,32", help="other slice sizes to compare (2 workers)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    pages = sum(int(re.search(r"Pages: (\d+)", subprocess.run(["mutool", "info", f], capture_output=True,
                                                                 text=True).stdout).group(1)) for f in args.files)
    folder = tempfile.mkdtemp(prefix="pageflow-scale-bench-")
    redis = Redis(folder)
    print(f"CPU: {cpu_line()}")
    print(f"files: {len(args.files)}, {pages} pages; slices of {args.slice_pages} pages\n")
    try:
        local = timed([args.pageflow, "convert", *args.files, "--cores", "2", "-q", "-o", f"{folder}/local"])
        print(f"local convert --cores 2:        {local:6.1f} s  {pages / local:5.2f} pages/s")
        for n in (1, 2):
            redis.cli("FLUSHALL")  # the second run converts again instead of collecting the first's
            workers = start_workers(args, redis, n, folder)
            before = redis.stats()
            seconds = timed([args.pageflow, "submit", "--redis", redis.url, *args.files, "-q", "--slice-pages",
                             args.slice_pages, "-o", f"{folder}/submit-{n}"])
            after = redis.stats()
            stop(workers)
            print(f"submit, {n} worker(s) --cores 1:  {seconds:6.1f} s  {pages / seconds:5.2f} pages/s  "
                  f"({local / seconds:.2f}x local)")
        commands = after["total_commands_processed"] - before["total_commands_processed"]
        sent = after["total_net_input_bytes"] - before["total_net_input_bytes"]
        received = after["total_net_output_bytes"] - before["total_net_output_bytes"]
        print(f"\nRedis per page (2-worker run, all clients): {commands / pages:.1f} commands, "
              f"{sent / pages / 1024:.1f} KiB in, {received / pages / 1024:.1f} KiB out")

        # Slice size, 2 workers: small slices balance the workers' load and redo little after a
        # death, but each slice fetches its file's bytes again (unless --shared-root).
        print("\n--slice-pages, 2 workers: pages/s, Redis KiB per page")
        for size in args.sweep.split(","):
            redis.cli("FLUSHALL")
            workers = start_workers(args, redis, 2, folder)
            start_stats = redis.stats()
            seconds = timed([args.pageflow, "submit", "--redis", redis.url, *args.files, "-q", "--slice-pages", size,
                             "-o", f"{folder}/sweep-{size}"])
            end_stats = redis.stats()
            stop(workers)
            moved = sum(end_stats[k] - start_stats[k] for k in ("total_net_input_bytes", "total_net_output_bytes"))
            print(f"  {size:>3}: {pages / seconds:5.2f} pages/s, {moved / pages / 1024:6.1f} KiB/page")

        # Death to redone: the lease is what a dead worker's slice waits out. Slices of 8 pages make
        # new tasks (a batch submitted again with the same settings would collect the old ones).
        lease = 5
        workers = start_workers(args, redis, 2, folder, ("--lease", str(lease)))
        submit = subprocess.Popen([args.pageflow, "submit", "--redis", redis.url, args.files[0], "-q",
                                   "--slice-pages", "8", "-o", f"{folder}/death"])
        entry = None
        while entry is None:
            lines = redis.cli("XPENDING", "pageflow:slices", "workers", "-", "+", "10")
            held = [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 3, 4) if lines[i + 1] == "w0"]
            entry = held[0][0] if held else None
            time.sleep(0.05)
        time.sleep(1)
        fields = redis.cli("XRANGE", "pageflow:slices", entry, entry)
        task, slice_no = fields[fields.index("task") + 1], fields[fields.index("slice") + 1]
        workers[0].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        while redis.cli("SISMEMBER", f"pageflow:task:{task}:done", slice_no) != ["1"]:
            time.sleep(0.05)
        redone = time.monotonic() - killed
        submit.wait()
        stop(workers[1:])
        print(f"\nworker killed 1 s into a slice: stored by the other worker {redone:.1f} s later "
              f"(--lease {lease} s, then the slice converted again)")

        # The queue's own commands on loopback, one client at a time and 50 at once.
        rates = {}
        for name, command in (("XADD", ["XADD", "bench", "*", "task", "0123456789abcdef", "slice", "3", "pages", "49-72"]),
                              ("HGET", ["HGET", "bench:hash", "state"]),
                              ("SET 20 KiB", ["SET", "bench:slice", "x" * 20480])):
            out = subprocess.run(["redis-benchmark", "-p", str(redis.port), "-n", "50000", "-c", "50", "-q", *command],
                                 capture_output=True, text=True).stdout
            match = re.search(r"([\d.]+) requests per second", out.replace("\r", "\n"))
            rates[name] = float(match.group(1)) if match else 0.0
        print("\nloopback, 50 clients: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in rates.items()))
        worker_rate = pages / local / 2  # a worker of one core at half the local rate
        per_worker_commands = commands / pages * worker_rate
        per_worker_bytes = (sent + received) / pages * worker_rate
        by_commands = min(rates.values()) / per_worker_commands
        by_bytes = rates["SET 20 KiB"] * 20480 / per_worker_bytes
        print(f"on paper: a worker at {worker_rate:.1f} pages/s sends {per_worker_commands:.1f} commands/s and moves "
              f"{per_worker_bytes / 1024:.0f} KiB/s; one Redis would feed about {by_commands:,.0f} such workers by "
              f"its command rate, {by_bytes:,.0f} by its byte rate (SET of 20 KiB); file bytes travel once per "
              "slice unless --shared-root")
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
