"""The Python package against the CLI on the same files (part of bench/run.sh):

- in process: pages/s of `pageflow bench --modes concurrent` (models loaded, outputs not
  rendered) against Converter.convert_all (models loaded; each result's DoclingDocument JSON and
  Markdown rendered, and, in a second figure, the DoclingDocument validated by docling-core);
- end to end: `pageflow convert FILES --to json,md` against a Python process that imports the
  package, makes a Converter and writes the same two files per input.

Runs are interleaved and the median of --repeat is reported, with the CPU the CLI saw.
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


def cli_bench(cli, files, repeat):
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([cli, "bench", *files, "--modes", "concurrent", "--repeat", str(repeat), "--warmup", "1",
                        "--json", report.name], check=True, stdout=subprocess.DEVNULL)
        figures = json.load(open(report.name))
    median = figures["modes"]["concurrent"]["median"]
    return median["pages"] / median["wall_s"], figures["machine"]["cpu"]


def python_pages_per_second(converter, files, validate):
    start = time.monotonic()
    pages = 0
    for result in converter.convert_all(files):
        pages += len(result.pages)
        if validate:
            assert result.document is not None
    return pages / (time.monotonic() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pageflow", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    cli_rate, cpu = cli_bench(args.pageflow, args.files, args.repeat)
    converter = pageflow.Converter()
    python_pages_per_second(converter, args.files, validate=False)  # warm-up, as the CLI's bench
    plain, validated = [], []
    for _ in range(args.repeat):
        plain.append(python_pages_per_second(converter, args.files, validate=False))
        validated.append(python_pages_per_second(converter, args.files, validate=True))
    converter.close()

    cli_wall, python_wall = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.repeat):
            cli_wall.append(timed([args.pageflow, "convert", *args.files, "--to", "json,md", "-q", "-o", out]))
            python_wall.append(timed([sys.executable, "-c", END_TO_END, out, *args.files]))

    plain_rate, validated_rate = statistics.median(plain), statistics.median(validated)
    cli_s, python_s = statistics.median(cli_wall), statistics.median(python_wall)
    print(f"machine: {cpu}; median of {args.repeat} interleaved runs")
    print(f"in process   CLI bench (concurrent)               {cli_rate:6.2f} pages/s")
    print(f"in process   Python convert_all (json + md)        {plain_rate:6.2f} pages/s  "
          f"({(plain_rate / cli_rate - 1) * 100:+.1f}% against the CLI)")
    print(f"in process   Python convert_all + DoclingDocument  {validated_rate:6.2f} pages/s  "
          f"({(validated_rate / cli_rate - 1) * 100:+.1f}%)")
    print(f"end to end   pageflow convert --to json,md         {cli_s:6.2f} s")
    print(f"end to end   python: import, Converter, write both {python_s:6.2f} s  "
          f"({(python_s / cli_s - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
