#!/usr/bin/env python3
"""Interoperability: every JSON pageflow writes for the corpus loads in docling-core
(DoclingDocument.model_validate_json), and docling-core's own Markdown export of it reads like
ours. Run by ctest with the virtual environment scripts/setup.sh made (.deps/venv)."""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

from docling_core.types.doc import DoclingDocument

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "eval"))
import evaluate  # noqa: E402  (word folding shared with the quality harness)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pageflow", required=True)
    parser.add_argument("--corpus", required=True)
    args = parser.parse_args()
    # Digital PDFs, and scans (their OCR'd text carries our meta field, which must validate too).
    pdfs = sorted(os.path.join(args.corpus, folder, f) for folder in ("pdf", "ocr")
                  for f in os.listdir(os.path.join(args.corpus, folder))
                  if f.endswith((".pdf", ".tif")) and "password" not in f)
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([args.pageflow, "convert", "-q", "--to", "md,json", "-o", out] + pdfs,
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"pageflow failed ({run.returncode}): {run.stderr}")
            return 1
        for pdf in pdfs:
            stem = os.path.splitext(os.path.basename(pdf))[0]
            try:
                with open(os.path.join(out, stem + ".json"), encoding="utf-8") as f:
                    doc = DoclingDocument.model_validate_json(f.read())
            except Exception as error:  # a validation error names the offending field
                print(f"FAIL {stem}: docling-core rejects our JSON: {error}")
                failures += 1
                continue
            with open(os.path.join(out, stem + ".md"), encoding="utf-8") as f:
                ours = evaluate.words(f.read())
            # docling prints custom meta fields in Markdown unless told not to.
            theirs = evaluate.words(doc.export_to_markdown(blocked_meta_names={"pageflow__ocr"}))
            similarity = difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()
            status = "ok" if similarity >= 0.95 else "FAIL"
            failures += status == "FAIL"
            print(f"{status} {stem}: loads, {len(doc.texts)} texts, {len(doc.pictures)} pictures, "
                  f"{len(doc.tables)} tables; docling-core's Markdown vs ours: {similarity:.3f}")
    print(f"{len(pdfs) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
