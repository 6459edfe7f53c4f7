"""A real redis-server on a free loopback port with its own data folder (AOF on, fsync always),
and `pageflow worker` / `pageflow submit` processes around it, all stopped at the end.

Run by ctest (see CMakeLists.txt):
  .deps/venv/bin/python -m pytest tests/scale --pageflow build/pageflow --corpus ../shared/corpus/docling
"""
import os
import signal
import socket
import subprocess
import time

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", "redis.log"])
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.cli_status("PING") == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def cli_status(self, *args):
        result = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    def cli(self, *args):
        """A command's reply as lines (redis-cli's raw output)."""
        result = subprocess.run(["redis-cli", "--raw", "-p", str(self.port), *args], capture_output=True, text=True,
                                check=True)
        return result.stdout.splitlines()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # redis-server writes its AOF and exits
            self.process.wait(timeout=30)


class Processes:
    """pageflow workers and submitters; each one's log in a file, shown when a test fails."""

    def __init__(self, pageflow, redis, folder):
        self.pageflow, self.redis, self.folder = pageflow, redis, folder
        self.running = []
        self.count = 0

    def start(self, command, *args, name=None):
        self.count += 1
        log = self.folder / f"{command}-{self.count}.log"
        argv = [self.pageflow, command, "--redis", self.redis.url, *args]
        if command == "worker":
            name = name or f"w{self.count}"
            argv += ["--name", name]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE if command == "queue" else subprocess.DEVNULL,
                                   stderr=open(log, "w"), text=True)
        process.log = log
        process.name = name
        self.running.append(process)
        return process

    def worker(self, *args, name=None):
        return self.start("worker", "--cores", "1", "--lease", "2", *args, name=name)

    def submit(self, out, *inputs, args=()):
        return self.start("submit", "-o", str(out), "-q", *args, *map(str, inputs))

    def stop_all(self):
        for p in self.running:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.running:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def logs(self):
        return "\n".join(f"--- {p.log.name}\n{p.log.read_text(errors='replace')}" for p in self.running)


@pytest.fixture
def redis(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    yield server
    server.stop()


@pytest.fixture
def processes(pageflow, redis, tmp_path, request):
    procs = Processes(pageflow, redis, tmp_path)
    yield procs
    procs.stop_all()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(procs.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
