"""One real `pageflow serve` process on a free loopback port, for the suites that talk to it."""
import os
import re
import signal
import subprocess
import tempfile
import time

import httpx


class Server:
    """One `pageflow serve` process; `url` once it listens."""

    def __init__(self, binary, *args):
        # The server's log goes to a file (a pipe nobody reads could fill and block it), shown
        # by log() when a test fails.
        self.log_file = tempfile.NamedTemporaryFile(prefix="pageflow-serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen([binary, "serve", "--port", "0", "--ocr", "off", *args],
                                        stderr=self.log_file)
        deadline = time.time() + 120
        match = None
        while not match and time.time() < deadline and self.process.poll() is None:
            time.sleep(0.05)
            match = re.search(r"serving on (http://\S+)", self.log())
        if not match:
            self.process.kill()
            raise RuntimeError("pageflow serve did not start: " + self.log())
        self.url = match.group(1)
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def log(self):
        with open(self.log_file.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def metric(self, name):
        text = self.client.get("/metrics").text
        match = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
        return float(match.group(1)) if match else None

    def wait_for_metric(self, name, predicate, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.metric(name)
            if value is not None and predicate(value):
                return value
            time.sleep(0.1)
        return self.metric(name)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=timeout)
            if status != 0:
                print("pageflow serve exited with", status, "; its log:\n" + self.log())
            return status
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log_file.close()
            os.unlink(self.log_file.name)
