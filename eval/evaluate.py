#!/usr/bin/env python3
"""Conversion quality against reference outputs (standard library only).

Layout of a corpus folder: pdf/*.pdf with groundtruth/<name>.md (and optionally <name>.json, a
DoclingDocument). For every PDF that has a reference, runs `pageflow convert` and reports:
  - text similarity in reading order: word-level, Markdown markup and whitespace folded
    (difflib ratio over the word sequences, 1.0 = identical);
  - headings, list items: found vs reference, precision/recall by matching text;
  - tables and pictures: counts against the reference JSON;
  - layout agreement: our items' page boxes matched to the reference's (IoU >= 0.5, same page,
    per label group: text, heading, picture, table, furniture), precision/recall;
  - table cell-text F1 over all tables;
  - for OCR samples (ocr/<name>.* with ocr-groundtruth/<name>.md): character error rate;
  - for scans of a referenced document (ocr/<name>.* with groundtruth/<name>.json, e.g. two pages
    of a paper as a TIFF): each scanned page is paired with the reference page it shares most
    words with, and the same figures are taken against those pages' body text;
  - U+FFFD (a glyph nothing could map) anywhere in our Markdown: counted, should be 0.
Writes a Markdown table and a JSON file. Exits non-zero only when the harness itself fails,
never because of a score.

  eval/evaluate.py --pageflow build/pageflow --corpus ../shared/corpus/docling --out eval/out
"""
import argparse
import collections
import difflib
import json
import os
import re
import subprocess
import sys

MARKUP = re.compile(r"<!--.*?-->|```|\$\$|^#+\s|^\s*[-*+]\s|^\s*\d+[.)]\s|\|[-:| ]+\|", re.M)
ESCAPE = re.compile(r"\\(?=[_*#|\\.)+-])")


def words(markdown):
    text = MARKUP.sub(" ", ESCAPE.sub("", markdown))
    text = text.replace("|", " ")
    return text.split()


def headings(markdown):
    return [m.group(1).strip() for m in re.finditer(r"^#+\s+(.*)$", markdown, re.M)]


def list_items(markdown):
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", markdown, re.M)]


def word_similarity(a, b):
    """Of two short texts (a heading, a list item): the better of their word-sequence similarity and
    the same over their words in any order. Docling's text cells put a section number after its
    title ("Introduction 1") where the page prints it before; the heading is the same."""
    in_order = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    shared = sum((collections.Counter(a) & collections.Counter(b)).values())
    return max(in_order, 2 * shared / (len(a) + len(b)) if a or b else 1.0)


def match_count(found, reference):
    """Greedy one-to-one matching of strings whose word similarity is at least 0.8."""
    remaining = list(reference)
    matched = 0
    for f in found:
        fw = f.split()
        best, best_ratio = None, 0.8
        for i, r in enumerate(remaining):
            ratio = word_similarity(fw, r.split())
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


LABEL_GROUPS = {
    "title": "heading", "section_header": "heading",
    "text": "text", "paragraph": "text", "list_item": "text", "caption": "text", "footnote": "text",
    "code": "text", "formula": "text", "reference": "text",
    "checkbox_selected": "text", "checkbox_unselected": "text",
    "picture": "picture", "chart": "picture", "table": "table", "document_index": "table",
    "page_header": "furniture", "page_footer": "furniture",
}


def load_json(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def regions(doc):
    """(label group, page, box as l, t, r, b with t > b in bottom-left coordinates) per item."""
    out = []
    for kind in ("texts", "pictures", "tables"):
        for item in doc.get(kind, []):
            group = LABEL_GROUPS.get(item.get("label"))
            for prov in item.get("prov", [])[:1]:
                b = prov["bbox"]
                if group:
                    out.append((group, prov["page_no"], (b["l"], b["t"], b["r"], b["b"])))
    return out


def iou(a, b):
    left, right = max(a[0], b[0]), min(a[2], b[2])
    top, bottom = min(a[1], b[1]), max(a[3], b[3])
    inter = max(0, right - left) * max(0, top - bottom)
    area = lambda x: max(0, x[2] - x[0]) * max(0, x[1] - x[3])
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0


def layout_agreement(ours, reference):
    """Per label group: our regions matched one-to-one to the reference's at IoU >= 0.5."""
    result = {}
    ours_r, ref_r = regions(ours), regions(reference)
    for group in sorted({g for g, _, _ in ours_r + ref_r}):
        mine = [r for r in ours_r if r[0] == group]
        theirs = [r for r in ref_r if r[0] == group]
        used, matched = set(), 0
        for _, page, box in mine:
            best, best_iou = None, 0.5
            for k, (_, ref_page, ref_box) in enumerate(theirs):
                if k not in used and ref_page == page and iou(box, ref_box) >= best_iou:
                    best, best_iou = k, iou(box, ref_box)
            if best is not None:
                used.add(best)
                matched += 1
        result[group] = {"found": len(mine), "reference": len(theirs),
                         "precision": round(matched / len(mine), 3) if mine else None,
                         "recall": round(matched / len(theirs), 3) if theirs else None}
    return result


def table_cell_f1(ours, reference):
    """F1 of the multiset of non-empty cell texts over all tables, None without reference cells."""
    def cells(doc):
        texts = []
        for table in doc.get("tables", []):
            texts += [" ".join(c.get("text", "").split()) for c in table.get("data", {}).get("table_cells", [])]
        return [t for t in texts if t]
    mine, theirs = cells(ours), cells(reference)
    if not theirs:
        return None, None
    remaining = list(theirs)
    matched = 0
    for t in mine:
        if t in remaining:
            remaining.remove(t)
            matched += 1
    precision = matched / len(mine) if mine else 0
    recall = matched / len(theirs)
    f1 = round(2 * precision * recall / (precision + recall), 3) if matched else 0.0
    shape = lambda doc: ", ".join(f"{t['data']['num_rows']}x{t['data']['num_cols']}" for t in doc.get("tables", []))
    return f1, f"{shape(ours) or '-'} / {shape(reference)}"


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
        "replacement_chars": ours_md.count("\ufffd"),
    }
    ours_doc, ref_doc = load_json(ours_json), load_json(ref_json)
    if ours_doc and ref_doc:
        result["tables"] = {"found": len(ours_doc["tables"]), "reference": len(ref_doc["tables"])}
        result["pictures"] = {"found": len(ours_doc["pictures"]), "reference": len(ref_doc["pictures"])}
        result["layout"] = layout_agreement(ours_doc, ref_doc)
        result["table_cell_f1"], result["table_shapes"] = table_cell_f1(ours_doc, ref_doc)
    return result


def f1(pr):
    p, r = pr["precision"], pr["recall"]
    return round(2 * p * r / (p + r), 3) if p + r > 0 else 0.0


def reference_pages_markdown(ref_doc, pages):
    """Markdown of the reference's body on `pages` (reading order of its body tree), as docling's
    own Markdown writes it: a paragraph that runs onto another page counts on each page only with
    the characters its provenance there spans, and a picture or table brings its captions (the
    text inside a figure stays out, as in docling's Markdown)."""
    by_ref = {}
    for kind in ("texts", "tables", "pictures", "groups"):
        for item in ref_doc.get(kind, []):
            by_ref[item["self_ref"]] = item
    out = []

    def text_on_pages(item):
        text = item.get("text", "")
        spans = [p.get("charspan") for p in item.get("prov", []) if p["page_no"] in pages]
        if len(item.get("prov", [])) < 2 or not all(spans):
            return text if spans else ""
        return " ".join(text[start:end] for start, end in spans)

    def emit(item):
        label, text = item.get("label"), text_on_pages(item)
        if not text or item.get("content_layer", "body") != "body":
            return
        if label in ("title", "section_header"):
            out.append("## " + text)
        elif label == "list_item":
            out.append("- " + text)
        else:
            out.append(text)

    def walk(ref):
        item = by_ref.get(ref)
        if item is None:
            return
        if item.get("label") in ("picture", "table"):
            for caption in item.get("captions", []):
                if caption["$ref"] in by_ref:
                    emit(by_ref[caption["$ref"]])
            return
        emit(item)
        for child in item.get("children", []):
            walk(child["$ref"])

    for child in ref_doc.get("body", {}).get("children", []):
        walk(child["$ref"])
    return "\n\n".join(out) + "\n"


def ocr_inputs(corpus, ref_subdir, ref_ext):
    """(name, input path, reference path) of each ocr/<name>.* with <ref_subdir>/<name><ref_ext>."""
    ocr_dir, ref_dir = os.path.join(corpus, "ocr"), os.path.join(corpus, ref_subdir)
    if not os.path.isdir(ocr_dir) or not os.path.isdir(ref_dir):
        return []
    found = []
    for f in sorted(os.listdir(ocr_dir)):
        name = os.path.splitext(f)[0]
        if os.path.exists(os.path.join(ref_dir, name + ref_ext)):
            found.append((name, os.path.join(ocr_dir, f), os.path.join(ref_dir, name + ref_ext)))
    return found


def convert_one(pageflow, path, out, formats, extra):
    os.makedirs(out, exist_ok=True)
    run = subprocess.run([pageflow, "convert", "-q", "-o", out, "--to", formats] + extra + [path],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"pageflow failed on {path}: {run.stderr}")


def scanned_documents(pageflow, corpus, out, extra):
    """Scans of referenced documents: ocr/<name>.* with groundtruth/<name>.json."""
    results = []
    for name, path, ref_path in ocr_inputs(corpus, "groundtruth", ".json"):
        ref_doc = load_json(ref_path)
        convert_one(pageflow, path, out, "md,json", extra)
        ours_doc = load_json(os.path.join(out, name + ".json"))
        if ours_doc is None:
            continue
        ref_words = {}
        for item in ref_doc.get("texts", []):
            for prov in item.get("prov", [])[:1]:
                ref_words.setdefault(prov["page_no"], set()).update(item.get("text", "").lower().split())
        pages = set()
        for page in sorted({p["page_no"] for t in ours_doc.get("texts", []) for p in t.get("prov", [])[:1]}):
            mine = set(w.lower() for t in ours_doc["texts"] if t.get("prov") and t["prov"][0]["page_no"] == page
                       for w in t.get("text", "").split())
            pages.add(max(ref_words, key=lambda p: len(mine & ref_words[p])))
        with open(os.path.join(out, name + ".md"), encoding="utf-8") as md:
            ours_md = md.read()
        result = evaluate(f"{name} (scan of reference pages {', '.join(map(str, sorted(pages)))})", ours_md,
                          reference_pages_markdown(ref_doc, pages), None, None)
        results.append(result)
    return results


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
    rows = []
    for name, path, ref_path in ocr_inputs(corpus, "ocr-groundtruth", ".md"):
        convert_one(pageflow, path, out, "md", extra)
        with open(os.path.join(out, name + ".md"), encoding="utf-8") as f:
            ours = plain(f.read())
        with open(ref_path, encoding="utf-8") as f:
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


def layout_cell(layout, group):
    g = (layout or {}).get(group)
    if not g:
        return "-"
    p = "-" if g["precision"] is None else f"{g['precision']:.2f}"
    r = "-" if g["recall"] is None else f"{g['recall']:.2f}"
    return f"{p}/{r}"


def markdown_report(results):
    lines = ["| document | similarity | headings P/R (F1) | list items P/R (F1) | tables found/ref | pictures found/ref "
             "| layout text P/R | heading boxes | picture boxes | table boxes | table cell F1 | table shapes ours / ref "
             "| U+FFFD |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        h, li = r["headings"], r["list_items"]
        t, p = r.get("tables", {}), r.get("pictures", {})
        lines.append(f"| {r['document']} | {r['similarity']:.3f} | {h['precision']:.2f}/{h['recall']:.2f} "
                     f"({f1(h):.2f}) | {li['precision']:.2f}/{li['recall']:.2f} ({f1(li):.2f}) "
                     f"| {t.get('found', '-')}/{t.get('reference', '-')} | "
                     f"{p.get('found', '-')}/{p.get('reference', '-')} | "
                     f"{layout_cell(r.get('layout'), 'text')} | {layout_cell(r.get('layout'), 'heading')} | "
                     f"{layout_cell(r.get('layout'), 'picture')} | {layout_cell(r.get('layout'), 'table')} | "
                     f"{'-' if r.get('table_cell_f1') is None else r['table_cell_f1']} | "
                     f"{r.get('table_shapes') or '-'} | {r['replacement_chars']} |")
    if results:
        mean = sum(r["similarity"] for r in results) / len(results)
        lines.append(f"| **mean** | **{mean:.3f}** | | | | | | | | | | | |")
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
    results += scanned_documents(args.pageflow, args.corpus, os.path.join(args.out, "scans"), args.extra)
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
