#!/usr/bin/env python3
"""Times how fast hostile inputs fail (README, "Bad input and limits").

Generates a page-count bomb, a flate bomb, a page with a 60,000 x 60,000 px image and a page
that takes minutes to draw, then runs the pageflow CLI on each and prints wall time, peak RSS
and the exit status. Usage: bench/hostile.py build/pageflow
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zlib

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
HELLO = b"BT /F1 24 Tf 72 72 Td (Hello hostile world) Tj ET"


def assemble(objects):
    out, offsets = b"%PDF-1.7\n", []
    for i, obj in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(contents=b"4 0 R", resources=b"", count=b"1", extra=()):
    return assemble([b"<< /Type /Catalog /Pages 2 0 R >>",
                     b"<< /Type /Pages /Kids [3 0 R] /Count " + count + b" >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents +
                     b" /Resources << /Font << /F1 5 0 R >> " + resources + b" >> >>",
                     stream(HELLO), FONT, *extra])


def inputs(folder):
    made = {"plain one-page file (for the start-up cost)": one_page()}
    made["page-count bomb (/Count 2000000000, 603 bytes)"] = one_page(count=b"2000000000")
    blanks = zlib.compressobj(9)
    bomb = b"".join(blanks.compress(b" " * (1 << 20)) for _ in range(1500)) + blanks.flush()
    made["flate bomb (1.5 MB expanding to 1.5 GB)"] = one_page(b"[4 0 R 6 0 R]", extra=[stream(bomb, b"/Filter /FlateDecode ")])
    image = b"/Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray /BitsPerComponent 8 "
    made["image declaring 60,000 x 60,000 px"] = one_page(
        b"7 0 R", b"/XObject << /Im1 6 0 R >>",
        extra=[stream(zlib.compress(b"\0" * (1 << 20)), image + b"/Filter /FlateDecode "),
               stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q " + HELLO)])
    flood = b"".join(b"%d %d 300 300 re f\n" % (i % 300, i % 500) for i in range(20000))
    made["page that takes minutes to draw"] = one_page(b"[4 0 R" + b" 6 0 R" * 100 + b"]",
                                                       extra=[stream(zlib.compress(flood), b"/Filter /FlateDecode ")])
    paths = {}
    for name, data in made.items():
        paths[name] = os.path.join(folder, "%d.pdf" % len(paths))
        with open(paths[name], "wb") as f:
            f.write(data)
    return paths


def timed(command, interrupt_after=None):
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if interrupt_after is not None:
        time.sleep(interrupt_after)
        process.send_signal(signal.SIGINT)
    _, err = process.communicate()
    wall = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mb, process.returncode, err.decode(errors="replace").strip().splitlines()


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        paths = inputs(folder)
        out = os.path.join(folder, "out")
        base = [cli, "convert", "-q", "-o", out]
        runs = [(name, base + [path], None) for name, path in paths.items()]
        slow = paths["page that takes minutes to draw"]
        runs[-1] = ("page that takes minutes to draw, --page-timeout 1000", base + ["--page-timeout", "1000", slow], None)
        runs.append(("the same page, --timeout 2000", base + ["--timeout", "2000", slow], None))
        runs.append(("the same page, Ctrl-C after 2 s", base + [slow], 2.0))
        print("| input | wall s | peak RSS MB (largest so far) | exit | what pageflow says |")
        print("|---|---|---|---|---|")
        for name, command, interrupt in runs:
            wall, peak, status, said = timed(command, interrupt)
            said = " / ".join(said).replace(folder + "/", "")
            print("| %s | %.2f | %.0f | %d | %s |" % (name, wall, peak, status, said[:200]))


if __name__ == "__main__":
    main()
