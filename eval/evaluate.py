#!/usr/bin/env python3
"""Conversion quality against reference outputs (standard library only).

Layout of a corpus folder: pdf/*.pdf with groundtruth/<name>.md (and optionally <name>.json, a
DoclingDocument). For every PDF that has a reference, runs `pageflow convert` and reports:
  - text similarity in reading order: word-level, Markdown markup and whitespace folded
    (difflib ratio over the word sequences, 1.0 = identical);
  - headings, list items: found vs reference, precision/recall by matching text;
  - tables and pictures: counts against the reference JSON;
  - for OCR samples (ocr/<name>.* with ocr-groundtruth/<name>.md): character error rate.
Writes a Markdown table and a JSON file. Exits non-zero only when the harness itself fails,
never because of a score.

  eval/evaluate.py --pageflow build/pageflow --corpus ../shared/corpus/docling --out eval/out
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys

MARKUP = re.compile(r"<!--.*?-->|```|\$\$|^#+\s|^\s*[-*+]\s|^\s*\d+[.)]\s|\|[-:| ]+\||\\(?=[_*#|])", re.M)


def words(markdown):
    text = MARKUP.sub(" ", markdown)
    text = text.replace("|", " ")
    return text.split()


def headings(markdown):
    return [m.group(1).strip() for m in re.finditer(r"^#+\s+(.*)$", markdown, re.M)]


def list_items(markdown):
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", markdown, re.M)]


def match_count(found, reference):
    """Greedy one-to-one matching of strings whose word similarity is at least 0.8."""
    remaining = list(reference)
    matched = 0
    for f in found:
        fw = f.split()
        best, best_ratio = None, 0.8
        for i, r in enumerate(remaining):
            ratio = difflib.SequenceMatcher(None, fw, r.split(), autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = i, ratio
        if best is not None:
            matched += 1
            remaining.pop(best)
    return matched


def precision_recall(found, reference):
    matched = match_count(found, reference)
    precision = matched / len(found) if found else (1.0 if not reference else 0.0)
    recall = matched / len(reference) if reference else (1.0 if not found else 0.0)
    return {"found": len(found), "reference": len(reference), "matched": matched,
            "precision": round(precision, 3), "recall": round(recall, 3)}


def json_counts(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return {"tables": len(doc.get("tables", [])), "pictures": len(doc.get("pictures", []))}


def evaluate(name, ours_md, ref_md, ours_json, ref_json):
    ours_words, ref_words = words(ours_md), words(ref_md)
    similarity = difflib.SequenceMatcher(None, ours_words, ref_words, autojunk=False).ratio()
    result = {
        "document": name,
        "similarity": round(similarity, 3),
        "words": len(ours_words),
        "reference_words": len(ref_words),
        "headings": precision_recall(headings(ours_md), headings(ref_md)),
        "list_items": precision_recall(list_items(ours_md), list_items(ref_md)),
    }
    ours_counts, ref_counts = json_counts(ours_json), json_counts(ref_json)
    if ours_counts and ref_counts:
        result["tables"] = {"found": ours_counts["tables"], "reference": ref_counts["tables"]}
        result["pictures"] = {"found": ours_counts["pictures"], "reference": ref_counts["pictures"]}
    return result


def plain(markdown):
    return " ".join(words(markdown))


def edit_distance(a, b):
    """Levenshtein distance over characters, two rows at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_error_rate(text, reference):
    """Edit distance per reference character. For long texts, words are aligned first (difflib)
    and characters compared only inside each stretch between matching runs (an upper bound: text
    moved elsewhere counts as deleted and inserted)."""
    if len(text) * len(reference) <= 70_000_000:  # exact where it takes seconds, not hours
        return edit_distance(text, reference) / max(1, len(reference))
    a, b = text.split(), reference.split()
    errors = 0
    stretch = None  # [i1, i2, j1, j2] of consecutive differing opcodes
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() + [("end", 0, 0, 0, 0)]:
        if op in ("equal", "end"):
            if stretch:
                errors += edit_distance(" ".join(a[stretch[0]:stretch[1]]), " ".join(b[stretch[2]:stretch[3]]))
                stretch = None
        elif stretch:
            stretch[1], stretch[3] = i2, j2
        else:
            stretch = [i1, i2, j1, j2]
    return errors / max(1, len(" ".join(b)))


def ocr_report(pageflow, corpus, out, extra):
    """Character error rate of OCR'd samples: ocr/<name>.* against ocr-groundtruth/<name>.md."""
    ocr_dir, ref_dir = os.path.join(corpus, "ocr"), os.path.join(corpus, "ocr-groundtruth")
    if not os.path.isdir(ref_dir):
        return []
    rows = []
    for ref_name in sorted(os.listdir(ref_dir)):
        name = os.path.splitext(ref_name)[0]
        inputs = [f for f in os.listdir(ocr_dir) if os.path.splitext(f)[0] == name]
        if not inputs:
            continue
        run = subprocess.run([pageflow, "convert", "-q", "-o", out, "--to", "md"] + extra +
                             [os.path.join(ocr_dir, inputs[0])], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            raise RuntimeError(f"pageflow failed on {inputs[0]}: {run.stderr}")
        with open(os.path.join(out, name + ".md"), encoding="utf-8") as f:
            ours = plain(f.read())
        with open(os.path.join(ref_dir, ref_name), encoding="utf-8") as f:
            ref = plain(f.read())
        cer = character_error_rate(ours, ref)
        rows.append({"document": name, "cer": round(cer, 4), "chars": len(ours), "reference_chars": len(ref)})
    return rows


def ocr_self_check(pageflow, corpus, out):
    """OCR of digital PDFs (rendered, text layer ignored) against their own text layer, per engine."""
    pdf_dir = os.path.join(corpus, "pdf")
    names = sorted(f for f in os.listdir(pdf_dir) if f.endswith(".pdf") and "password" not in f)
    rows = []
    layer_dir = os.path.join(out, "text-layer")
    subprocess.run([pageflow, "convert", "-q", "--ocr", "off", "--to", "text", "-o", layer_dir] +
                   [os.path.join(pdf_dir, n) for n in names], capture_output=True)
    for engine in ("paddle", "tesseract"):
        engine_dir = os.path.join(out, "ocr-" + engine)
        subprocess.run([pageflow, "convert", "-q", "--ocr", "force", "--ocr-engine", engine, "--to", "text",
                        "-o", engine_dir] + [os.path.join(pdf_dir, n) for n in names], capture_output=True)
        for n in names:
            stem = os.path.splitext(n)[0]
            try:
                with open(os.path.join(layer_dir, stem + ".txt"), encoding="utf-8") as f:
                    layer = " ".join(f.read().split())
                with open(os.path.join(engine_dir, stem + ".txt"), encoding="utf-8") as f:
                    ocr = " ".join(f.read().split())
            except FileNotFoundError:
                continue
            rows.append({"document": stem, "engine": engine, "cer": round(character_error_rate(ocr, layer), 4),
                         "chars": len(layer)})
    return rows


def markdown_report(results):
    lines = ["| document | similarity | headings P/R | list items P/R | tables found/ref | pictures found/ref |",
             "|---|---|---|---|---|---|"]
    for r in results:
        h, li = r["headings"], r["list_items"]
        t, p = r.get("tables", {}), r.get("pictures", {})
        lines.append(f"| {r['document']} | {r['similarity']:.3f} | {h['precision']:.2f}/{h['recall']:.2f} "
                     f"({h['found']}/{h['reference']}) | {li['precision']:.2f}/{li['recall']:.2f} "
                     f"({li['found']}/{li['reference']}) | {t.get('found', '-')}/{t.get('reference', '-')} | "
                     f"{p.get('found', '-')}/{p.get('reference', '-')} |")
    if results:
        mean = sum(r["similarity"] for r in results) / len(results)
        lines.append(f"| **mean** | **{mean:.3f}** | | | | |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pageflow", default="build/pageflow")
    parser.add_argument("--corpus", default="../shared/corpus/docling")
    parser.add_argument("--out", default="eval/out")
    parser.add_argument("--ocr-self-check", action="store_true",
                        help="also OCR the digital PDFs and compare with their own text layer (slow)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more pageflow convert options")
    args = parser.parse_args()

    pdf_dir, ref_dir = os.path.join(args.corpus, "pdf"), os.path.join(args.corpus, "groundtruth")
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(ref_dir) if f.endswith(".md"))
    names = [n for n in names if os.path.exists(os.path.join(pdf_dir, n + ".pdf"))]
    if not names:
        print(f"evaluate: no PDFs with references under {args.corpus}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    command = [args.pageflow, "convert", "-q", "-o", args.out, "--to", "md,json"] + args.extra + \
              [os.path.join(pdf_dir, n + ".pdf") for n in names]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        print(f"evaluate: pageflow failed ({run.returncode}): {run.stderr}", file=sys.stderr)
        return 2
    results = []
    for n in names:
        ours = os.path.join(args.out, n + ".md")
        if not os.path.exists(ours):
            results.append(evaluate(n, "", open(os.path.join(ref_dir, n + ".md"), encoding="utf-8").read(), None, None))
            continue
        with open(ours, encoding="utf-8") as f:
            ours_md = f.read()
        with open(os.path.join(ref_dir, n + ".md"), encoding="utf-8") as f:
            ref_md = f.read()
        results.append(evaluate(n, ours_md, ref_md, os.path.join(args.out, n + ".json"),
                                os.path.join(ref_dir, n + ".json")))
    report = markdown_report(results)
    ocr_rows = ocr_report(args.pageflow, args.corpus, os.path.join(args.out, "ocr"), args.extra)
    if ocr_rows:
        report += "\n| OCR sample | CER | characters (ours/reference) |\n|---|---|---|\n"
        for r in ocr_rows:
            report += f"| {r['document']} | {r['cer']:.4f} | {r['chars']}/{r['reference_chars']} |\n"
    self_check = ocr_self_check(args.pageflow, args.corpus, os.path.join(args.out, "self-check")) \
        if args.ocr_self_check else []
    if self_check:
        report += "\n| OCR self-check (digital PDF, OCR vs its text layer) | engine | CER | text-layer characters |\n" \
                  "|---|---|---|---|\n"
        for r in self_check:
            report += f"| {r['document']} | {r['engine']} | {r['cer']:.4f} | {r['chars']} |\n"
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as f:
        f.write(report)
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump({"documents": results, "ocr": ocr_rows, "ocr_self_check": self_check}, f, indent=2)
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
