"""The Ray example (python/examples/ray_convert.py) on a local Ray with 2 CPUs: two actors, each
with one Converter, convert a folder; the outputs match a plain Converter's."""
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "python" / "examples" / "ray_convert.py"


def test_ray_example_converts_a_folder_with_two_actors(pdf_folder, tmp_path, converter):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(EXAMPLE), str(pdf_folder), str(out), "--actors", "2",
                          "--cores-per-actor", "1", "--batch-size", "1"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line.split(maxsplit=3) for line in run.stdout.splitlines() if line.startswith(("success", "partial", "failure"))]
    assert sorted(pathlib.Path(row[2]).name for row in rows) == sorted(p.name for p in pdf_folder.iterdir())
    assert all(row[0] == "success" for row in rows)
    for pdf in pdf_folder.iterdir():
        assert (out / f"{pdf.stem}.md").read_text(encoding="utf-8") == converter.convert(pdf).markdown
        assert (out / f"{pdf.stem}.json").is_file()
