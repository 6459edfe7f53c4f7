"""Scale-out on a real redis-server: slices of one document converted by several workers give
the local conversion's output byte for byte; a worker killed mid-slice, a poison slice, a Redis
restart and an interrupted submitter lose nothing."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

FORMATS = ("md", "json")


@pytest.fixture(scope="session")
def files(corpus):
    c = Path(corpus)
    return {
        "multi": c / "pdf/multi_page.pdf",            # 5 digital pages
        "normal": c / "pdf/normal_4pages.pdf",        # 4 digital pages
        "code": c / "pdf/code_and_formula.pdf",       # 2 digital pages
        "table": c / "pdf/table_mislabeled_as_picture.pdf",
        "scanned": c / "ocr/nemotron_multipage.pdf",  # 4 scanned pages: seconds per page
        "ocr": c / "ocr/ocr_test.pdf",
    }


@pytest.fixture(scope="session")
def local(pageflow, files, tmp_path_factory):
    """Every file converted on this machine by `pageflow convert`: the reference."""
    out = tmp_path_factory.mktemp("local")
    subprocess.run([pageflow, "convert", *map(str, files.values()), "-o", str(out), "--to", ",".join(FORMATS),
                    "-q", "--cores", "2"], check=True)
    return out


def assert_same_as_local(out, local, *paths):
    for path in paths:
        for ext in FORMATS:
            name = f"{Path(path).stem}.{ext}"
            assert (out / name).read_bytes() == (local / name).read_bytes(), name


def wait_until(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def finish(process, seconds=300):
    process.wait(timeout=seconds)
    return process.returncode, process.log.read_text(errors="replace")


def pending(redis):
    """[(entry id, consumer, deliveries)] of the slices in workers' hands."""
    lines = redis.cli("XPENDING", "pageflow:slices", "workers", "-", "+", "100")
    return [(lines[i], lines[i + 1], int(lines[i + 3])) for i in range(0, len(lines) - 3, 4)]


def task_name_of_entry(redis, entry):
    fields = redis.cli("XRANGE", "pageflow:slices", entry, entry)
    task = fields[fields.index("task") + 1]
    return redis.cli("HGET", f"pageflow:task:{task}", "name")[0]


def test_slices_spread_over_workers_give_the_local_output(processes, redis, files, local, tmp_path):
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a PDF at all")
    workers = [processes.worker(), processes.worker()]
    inputs = [files[k] for k in ("multi", "normal", "code", "table", "ocr")]
    submit = processes.submit(tmp_path / "out", *inputs, bad, args=("--slice-pages", "2", "--to", "md,json"))
    rc, log = finish(submit)
    assert rc == 1, log  # the bad file failed, the others converted
    assert "notes.pdf: not a PDF or a supported image" in log
    assert_same_as_local(tmp_path / "out", local, *inputs)
    assert not (tmp_path / "out/notes.md").exists()
    # Both workers took slices: 5+4+2+1+1 pages in slices of 2 are 3+2+1+1+1 slices.
    queue = subprocess.run([processes.pageflow, "queue", "--redis", redis.url], capture_output=True, text=True,
                           check=True).stdout
    assert "slices waiting:      0" in queue and "slices in flight:    0" in queue
    counts = {w.name: int(line.split()[1]) for line in queue.splitlines() for w in workers if line.startswith(w.name + " ")}
    assert sum(counts.values()) == 8 and all(n > 0 for n in counts.values()), queue
    assert all(w.poll() is None for w in workers)


def test_a_worker_killed_mid_slice_has_its_slice_redone_elsewhere(processes, redis, files, local, tmp_path):
    doomed = processes.worker()
    submit = processes.submit(tmp_path / "out", files["scanned"], files["multi"], args=("--slice-pages", "1", "--to", "md,json"))
    wait_until(lambda: any(c == doomed.name for _, c, _ in pending(redis)), 120, "the worker to take a slice")
    time.sleep(0.5)  # in the middle of its scanned page
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    taken = [e for e, c, _ in pending(redis) if c == doomed.name]
    assert taken, "the killed worker's slice stays pending"
    processes.worker()
    rc, log = finish(submit)
    assert rc == 0, log
    assert_same_as_local(tmp_path / "out", local, files["scanned"], files["multi"])
    assert pending(redis) == []
    assert redis.cli("XLEN", "pageflow:dead") == ["0"]


def test_a_poison_slice_is_dead_lettered_and_only_its_document_fails(processes, redis, files, local, tmp_path):
    workers = {}
    for _ in range(2):
        w = processes.worker("--max-deliveries", "2")
        workers[w.name] = w
    # The scanned document in one slice is the poison: whoever converts it is killed, every time.
    # (A third delivery is not converted: its worker dead-letters it.)
    submit = processes.submit(tmp_path / "out", files["scanned"], files["multi"], args=("--slice-pages", "8", "--to", "md,json"))
    kills = 0
    deadline = time.time() + 240
    while submit.poll() is None and time.time() < deadline:
        for entry, consumer, deliveries in pending(redis):
            if consumer in workers and deliveries <= 2 and "nemotron" in task_name_of_entry(redis, entry):
                workers[consumer].send_signal(signal.SIGKILL)
                workers[consumer].wait()
                del workers[consumer]
                kills += 1
                w = processes.worker("--max-deliveries", "2")
                workers[w.name] = w
        time.sleep(0.1)
    rc, log = finish(submit, 10)
    assert kills == 2, log
    assert rc == 1, log
    assert "nemotron_multipage.pdf: pages 1-4 given up after 2 deliveries" in log
    dead = redis.cli("XRANGE", "pageflow:dead", "-", "+")
    assert dead[dead.index("pages") + 1] == "1-4" and dead[dead.index("deliveries") + 1] == "2"
    assert redis.cli("XLEN", "pageflow:dead") == ["1"]
    assert_same_as_local(tmp_path / "out", local, files["multi"])
    assert not (tmp_path / "out/nemotron_multipage.md").exists()


def test_a_redis_restart_mid_batch_loses_nothing(processes, redis, files, local, tmp_path):
    processes.worker()
    inputs = [files[k] for k in ("multi", "normal", "code", "scanned")]
    submit = processes.submit(tmp_path / "out", *inputs, args=("--slice-pages", "1", "--to", "md,json"))
    wait_until(lambda: len(redis.cli("KEYS", "pageflow:task:*:done")) >= 2, 120, "slices of two documents to be done")
    redis.stop()
    time.sleep(1.5)  # the worker and the submitter meet a dead server and retry
    redis.start()
    rc, log = finish(submit)
    assert rc == 0, log
    assert_same_as_local(tmp_path / "out", local, *inputs)
    assert pending(redis) == []


def test_an_interrupted_submit_resumes_without_converting_twice(processes, redis, files, local, tmp_path):
    inputs = [files[k] for k in ("multi", "normal")]
    first = processes.submit(tmp_path / "out", *inputs, args=("--slice-pages", "2"))
    wait_until(lambda: redis.cli("XLEN", "pageflow:slices") == ["5"], 60, "both files to be queued")
    first.send_signal(signal.SIGINT)
    rc, log = finish(first, 30)
    assert rc == 3, log
    assert "2 still on the workers" in log
    processes.worker()
    rc, log = finish(processes.submit(tmp_path / "out", *inputs, args=("--slice-pages", "2")))
    assert rc == 0, log
    assert redis.cli("XLEN", "pageflow:slices") == ["5"]  # nothing queued twice
    for path in inputs:
        assert (tmp_path / "out" / f"{path.stem}.md").read_bytes() == (local / f"{path.stem}.md").read_bytes()
    rc, log = finish(processes.submit(tmp_path / "out", *inputs, args=("--slice-pages", "2")), 30)
    assert rc == 0 and redis.cli("XLEN", "pageflow:slices") == ["5"]


def test_files_travel_by_path_under_a_shared_root_and_large_ones_are_refused(processes, redis, files, local,
                                                                               tmp_path):
    root = Path(files["multi"]).parent.parent
    processes.worker("--shared-root", str(root))
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (3 << 19))
    rc, log = finish(processes.submit(tmp_path / "out", big, args=("--max-source-size", "1")), 30)
    assert rc == 1 and "over the 1 MB that may travel through Redis" in log, log
    rc, log = finish(processes.submit(tmp_path / "out", files["multi"], big,
                                                args=("--shared-root", str(root), "--to", "md,json")))
    assert rc == 1 and "big.pdf: outside the shared root" in log, log
    assert_same_as_local(tmp_path / "out", local, files["multi"])
    # Only the path went through Redis.
    tasks = [k for k in redis.cli("KEYS", "pageflow:task:*") if k.count(":") == 2]
    assert [redis.cli("HGET", t, "source")[0] for t in tasks] == ["pdf/multi_page.pdf"]
    assert not any(redis.cli("KEYS", "pageflow:task:*:bytes"))


def test_service_replicas_behind_one_redis_answer_for_each_other(processes, redis, files, pageflow):
    from pageflow_server import Server

    processes.worker()
    replica_a, replica_b = Server(pageflow, "--redis", redis.url), Server(pageflow, "--redis", redis.url)
    alone = Server(pageflow)  # tasks in its own process, converted by its own engine
    try:
        upload = {"files": ("multi_page.pdf", files["multi"].read_bytes(), "application/pdf")}
        form = {"to_formats": ["md", "json"]}
        reference = alone.client.post("/v1/convert/file", files=upload, data=form).json()
        task = replica_a.client.post("/v1/convert/file/async", files=upload, data=form).json()
        assert task["task_status"] in ("pending", "started"), task
        status = task
        deadline = time.time() + 120
        while status["task_status"] not in ("success", "failure") and time.time() < deadline:
            status = replica_b.client.get(f"/v1/status/poll/{task['task_id']}", params={"wait": 5}).json()
        assert status["task_status"] == "success", status
        assert status["task_meta"]["num_pages_done"] == status["task_meta"]["num_pages_known"] == 5
        result = replica_b.client.get(f"/v1/result/{task['task_id']}").json()
        assert result["status"] == "success"
        assert result["document"]["md_content"] == reference["document"]["md_content"]
        assert result["document"]["json_content"] == reference["document"]["json_content"]
        # A result is fetched once, from whichever replica.
        assert replica_a.client.get(f"/v1/result/{task['task_id']}").status_code == 404
        # A synchronous request waits for the workers.
        sync = replica_a.client.post("/v1/convert/file", files=upload, data=form).json()
        assert sync["document"]["md_content"] == reference["document"]["md_content"]
        assert replica_b.client.get(f"/v1/result/{task['task_id']}/pages").status_code == 404
    finally:
        for server in (replica_a, replica_b, alone):
            assert server.stop() == 0


def test_a_synchronous_request_past_its_wait_cancels_its_slices(processes, redis, files, pageflow):
    from pageflow_server import Server

    replica = Server(pageflow, "--redis", redis.url, "--max-sync-wait", "1")
    try:
        upload = {"files": ("multi_page.pdf", files["multi"].read_bytes(), "application/pdf")}
        response = replica.client.post("/v1/convert/file", files=upload, data={"to_formats": ["md"]})
        assert response.status_code == 504
    finally:
        assert replica.stop() == 0
    tasks = [k for k in redis.cli("KEYS", "pageflow:task:*") if k.count(":") == 2]
    assert [redis.cli("HGET", t, "state")[0] for t in tasks] == ["cancelled"]
    assert not any(redis.cli("KEYS", "pageflow:request:*"))
    worker = processes.worker()
    wait_until(lambda: redis.cli("XINFO", "GROUPS", "pageflow:slices")[-1] == "0" and not pending(redis), 60,
               "the worker to skip the cancelled slices")
    worker.send_signal(signal.SIGTERM)
    rc, log = finish(worker, 60)
    assert rc == 0 and "stopped after 0 slices, 0 pages" in log, log


def test_a_replica_that_cannot_reach_redis_answers_503_and_recovers(redis, files, pageflow):
    from pageflow_server import Server

    replica = Server(pageflow, "--redis", redis.url)
    try:
        upload = {"files": ("multi_page.pdf", files["multi"].read_bytes(), "application/pdf")}
        redis.stop()
        started = time.time()
        response = replica.client.post("/v1/convert/file/async", files=upload)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5", response.text
        assert "the task store is unavailable" in response.json()["detail"]
        assert time.time() - started < 30
        redis.start()
        assert replica.client.post("/v1/convert/file/async", files=upload).status_code == 200
    finally:
        assert replica.stop() == 0
