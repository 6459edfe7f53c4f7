"""The Python package against the CLI on the same files (part of bench/run.sh):

- in process: pages/s of `pageflow bench --modes concurrent` (models loaded, outputs not
  rendered; a dedicated pipeline run) against Converter.convert_all (models loaded; the
  long-lived engine; each result's DoclingDocument JSON and Markdown rendered, and, in a second
  figure, the DoclingDocument validated by docling-core), with the share of the Python run's
  wall time that came after the engine had delivered the last document: the binding's own cost;
- end to end: `pageflow convert FILES --to json,md` against a Python process that imports the
  package, makes a Converter and writes the same two files per input.

Runs are interleaved (a CLI run, then the Python runs, --repeat times; the Python converter stays
alive between its runs, as the CLI's bench keeps its models) and medians are reported, with the
CPU the CLI saw.
Usage: .deps/venv/bin/python bench/python.py --pageflow build/pageflow [--repeat 3] FILE...
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import pageflow

END_TO_END = textwrap.dedent("""
    import pathlib, sys
    import pageflow
    out = pathlib.Path(sys.argv[1])
    converter = pageflow.Converter()
    for result in converter.convert_all(sys.argv[2:]):
        stem = pathlib.Path(result.source).stem
        (out / f"{stem}.json").write_text(result.json, encoding="utf-8")
        (out / f"{stem}.md").write_text(result.markdown, encoding="utf-8")
""")


def timed(command):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def cli_bench(cli, files):
    """One measured run of the CLI's own benchmark (after its warm-up run): pages/s, CPU."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([cli, "bench", *files, "--modes", "concurrent", "--repeat", "1", "--warmup", "1",
                        "--json", report.name], check=True, stdout=subprocess.DEVNULL)
        figures = json.load(open(report.name))
    run = figures["modes"]["concurrent"]["median"]
    return run["pages"] / run["wall_s"], figures["machine"]["cpu"]


def python_run(converter, files, validate):
    """Pages/s of one convert_all, and the share of its wall time spent after the engine had
    delivered the last document (rendering JSON and Markdown, making Python objects, validating)."""
    start = time.monotonic()
    pages = 0
    engine_done = start
    for result in converter.convert_all(files):
        pages += len(result.pages)
        engine_done = max(engine_done, result.finished_at)
        if validate:
            assert result.document is not None
    end = time.monotonic()
    return pages / (end - start), (end - engine_done) / (end - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pageflow", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    converter = pageflow.Converter()
    python_run(converter, args.files, validate=False)  # warm-up, as the CLI's bench
    cli, plain, validated = [], [], []
    for _ in range(args.repeat):
        rate, cpu = cli_bench(args.pageflow, args.files)
        cli.append(rate)
        plain.append(python_run(converter, args.files, validate=False))
        validated.append(python_run(converter, args.files, validate=True))
    converter.close()

    cli_wall, python_wall = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.repeat):
            cli_wall.append(timed([args.pageflow, "convert", *args.files, "--to", "json,md", "-q", "-o", out]))
            python_wall.append(timed([sys.executable, "-c", END_TO_END, out, *args.files]))

    cli_rate = statistics.median(cli)
    plain_rate, plain_after = (statistics.median(figures) for figures in zip(*plain))
    validated_rate, validated_after = (statistics.median(figures) for figures in zip(*validated))
    cli_s, python_s = statistics.median(cli_wall), statistics.median(python_wall)
    print(f"machine: {cpu}; median of {args.repeat} interleaved runs")
    print(f"in process   CLI bench (concurrent, a dedicated run) {cli_rate:6.2f} pages/s")
    print(f"in process   Python convert_all (json + md)          {plain_rate:6.2f} pages/s  "
          f"({(plain_rate / cli_rate - 1) * 100:+.1f}% against the CLI); after the engine: {plain_after * 100:.1f}% of wall")
    print(f"in process   Python convert_all + DoclingDocument    {validated_rate:6.2f} pages/s  "
          f"({(validated_rate / cli_rate - 1) * 100:+.1f}%); after the engine: {validated_after * 100:.1f}% of wall")
    print(f"end to end   pageflow convert --to json,md           {cli_s:6.2f} s")
    print(f"end to end   python: import, Converter, write both   {python_s:6.2f} s  "
          f"({(python_s / cli_s - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
