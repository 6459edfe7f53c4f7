"""Bounded load on loopback: 16 clients mixing 1-page synchronous and 100-page asynchronous
conversions for PAGEFLOW_LOAD_SECONDS (default 30). Only 200s and the configured 429s may come
back, and the server's threads and open files return to where they were once the load stops.
(bench/serve.py measures latency and memory over longer runs.)"""
import collections
import os
import random
import threading
import time

import httpx

from conftest import make_pdf

SECONDS = float(os.environ.get("PAGEFLOW_LOAD_SECONDS", "30"))


def test_sixteen_clients_mixing_small_and_large_documents(start_server):
    # Text layer only, so the bound buys many requests (the layout model's cost is bench/serve.py's).
    s = start_server("--no-layout", "--max-tasks", "24", "--max-sync-wait", "600")
    small, large = make_pdf(1), make_pdf(100)
    s.client.post("/v1/convert/file", files=[("files", ("warm.pdf", small, "application/pdf"))])
    threads_before = s.metric("process_threads")
    fds_before = s.metric("process_open_fds")
    codes = collections.Counter()
    async_tasks = []
    lock = threading.Lock()
    stop_at = time.time() + SECONDS

    def client(seed):
        rng = random.Random(seed)
        with httpx.Client(base_url=s.url, timeout=600) as c:
            while time.time() < stop_at:
                if rng.random() < 0.1:
                    r = c.post("/v1/convert/file/async", files=[("files", ("large.pdf", large, "application/pdf"))])
                    if r.status_code == 200:
                        task_id = r.json()["task_id"]
                        with lock:
                            async_tasks.append(task_id)
                        c.get(f"/v1/status/poll/{task_id}", params={"wait": 600})
                        result = c.get(f"/v1/result/{task_id}")
                        assert result.status_code == 200 and result.json()["status"] == "success"
                else:
                    r = c.post("/v1/convert/file", files=[("files", ("small.pdf", small, "application/pdf"))])
                    if r.status_code == 200:
                        assert r.json()["status"] == "success"
                with lock:
                    codes[r.status_code] += 1
                if r.status_code == 429:
                    time.sleep(0.2)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert set(codes) <= {200, 429}, codes
    assert codes[200] > 0
    assert async_tasks
    s.wait_for_metric('pageflow_tasks{state="running_jobs"}', lambda v: v == 0, seconds=600)
    print(f"\nload: {dict(codes)} responses; rss {s.metric('process_resident_memory_bytes') / 2**20:.0f} MB")
    assert s.metric("process_threads") <= threads_before
    assert s.wait_for_metric("process_open_fds", lambda v: v <= fds_before + 2, seconds=30) <= fds_before + 2
