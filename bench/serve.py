#!/usr/bin/env python3
"""Service figures (loopback only, bounded in time): requests/s and latency percentiles of
1-page requests alone and while a 300-page document converts (fairness), first-page latency
through /v1/result/{id}/pages, and the server's memory over many requests.

Usage: bench/serve.py --pageflow build/pageflow [--seconds 20] [--clients 4] [--json out.json]
Run with the project's venv (.deps/venv/bin/python): it needs httpx."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import httpx

MANUALS = "/usr/share/R/doc/manual"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cpu_line():
    model, flags = "?", set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name") and model == "?":
            model = line.split(":", 1)[1].strip()
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    vector = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni") if f in flags]
    return f"{model}, {os.cpu_count()} cores, {'+'.join(vector) or 'no AVX2'}"


class Server:
    def __init__(self, binary, *args):
        self.process = subprocess.Popen([binary, "serve", "--port", "0", *args], stderr=subprocess.PIPE, text=True)
        line = self.process.stderr.readline()
        self.url = re.search(r"serving on (http://\S+)", line).group(1)
        self.client = httpx.Client(base_url=self.url, timeout=600)

    def rss_mb(self):
        text = self.client.get("/metrics").text
        return float(re.search(r"^process_resident_memory_bytes (\S+)$", text, re.M).group(1)) / 2**20

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=120)


def small_requests(url, pdf, seconds, clients):
    latencies = []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client():
        with httpx.Client(base_url=url, timeout=600) as c:
            while time.time() < stop_at:
                t0 = time.perf_counter()
                r = c.post("/v1/convert/file", files=[("files", ("one.pdf", pdf, "application/pdf"))])
                r.raise_for_status()
                with lock:
                    latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.time() - start


def summary(latencies, elapsed):
    return {"requests": len(latencies), "per_s": len(latencies) / elapsed,
            "p50_ms": 1000 * percentile(latencies, 0.5), "p95_ms": 1000 * percentile(latencies, 0.95),
            "p99_ms": 1000 * percentile(latencies, 0.99)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pageflow", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=500, help="for the memory figure")
    parser.add_argument("--json")
    args = parser.parse_args()
    intro = os.path.join(MANUALS, "R-intro.pdf")
    refman = os.path.join(MANUALS, "refman.pdf")
    if not os.path.exists(refman):
        sys.exit("bench/serve.py: needs the R manuals (make bench installs r-doc-pdf)")
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "page.pdf")
        subprocess.run(["mutool", "merge", "-o", page, intro, "5"], check=True)  # a page of prose
        one_page = open(page, "rb").read()
    big = open(refman, "rb").read()
    figures = {"machine": cpu_line()}
    server = Server(args.pageflow, "--ocr", "off", "--max-file-size", "200")
    try:
        small_requests(server.url, one_page, 3, 1)  # warm-up
        alone, elapsed = small_requests(server.url, one_page, args.seconds, args.clients)
        figures["small_alone"] = summary(alone, elapsed)

        # The same while 300 pages of the reference manual convert.
        task = server.client.post("/v1/convert/file/async", files=[("files", ("refman.pdf", big, "application/pdf"))],
                                  data={"page_range": ["1", "300"], "to_formats": "json"}).json()
        time.sleep(2)
        busy, elapsed = small_requests(server.url, one_page, args.seconds, args.clients)
        figures["small_beside_300_pages"] = summary(busy, elapsed)
        figures["fairness_p95_ratio"] = figures["small_beside_300_pages"]["p95_ms"] / figures["small_alone"]["p95_ms"]
        server.client.get(f"/v1/status/poll/{task['task_id']}", params={"wait": 1200})
        server.client.get(f"/v1/result/{task['task_id']}")

        # First page out through the page stream, against the whole document.
        t0 = time.perf_counter()
        task = server.client.post("/v1/convert/file/async", files=[("files", ("refman.pdf", big, "application/pdf"))],
                                  data={"page_range": ["1", "100"]}).json()
        first = None
        with server.client.stream("GET", f"/v1/result/{task['task_id']}/pages") as stream:
            for line in stream.iter_lines():
                if first is None:
                    first = time.perf_counter() - t0
        figures["stream_100_pages"] = {"first_page_ms": 1000 * first, "all_pages_ms": 1000 * (time.perf_counter() - t0)}
        server.client.get(f"/v1/result/{task['task_id']}")

        # Memory over many requests: after a warm-up of 50, and after the rest.
        rss = []
        with httpx.Client(base_url=server.url, timeout=600) as c:
            for n in range(args.requests):
                c.post("/v1/convert/file", files=[("files", ("one.pdf", one_page, "application/pdf"))]).raise_for_status()
                if n in (49, args.requests - 1):
                    rss.append(server.rss_mb())
        figures["memory"] = {"requests": args.requests, "rss_after_50_mb": rss[0], "rss_after_all_mb": rss[1],
                             "growth_mb": rss[1] - rss[0]}
    finally:
        server.stop()
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
