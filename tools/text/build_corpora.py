#!/usr/bin/env python3
"""Rebuilds the two text corpora shipped in data/ from Debian packages.

    apt-get install fortunes fortunes-min fortune-mod bible-kjv
    python3 tools/text/build_corpora.py

data/fortunes/fortunes.jsonl.gz: labelled quotations for text classification, one JSON object a line,
    {"text": ..., "label": category}, from the Debian `fortunes` package's category files (BSD licence; see
    /usr/share/doc/fortunes/copyright). Only the categories in CATEGORIES; the offensive set is not used.
data/kjv/kjv.txt.gz: the King James Bible, one verse a line ("Ge1:1 In the beginning ..."), as the
    `bible` command of Debian's `bible-kjv` package prints it (the text is in the public domain).
Both are gzipped with mtime 0, so a rebuild from the same package versions gives identical bytes.
"""
import gzip
import io
import json
import os
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FORTUNES = "/usr/share/games/fortunes"
CATEGORIES = ["computers", "food", "law", "politics", "science", "sports"]


def write_gz(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(text.encode("utf-8"))
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    print(path, len(buf.getvalue()), "bytes")


def fortunes():
    lines = []
    for cat in CATEGORIES:
        with open(os.path.join(FORTUNES, cat), encoding="utf-8", errors="replace") as f:
            raw = f.read()
        for entry in raw.split("\n%\n"):
            text = entry.strip("\n").rstrip()
            if text.strip() and text.strip() != "%":
                lines.append(json.dumps({"text": text, "label": cat}, ensure_ascii=False))
    write_gz(os.path.join(ROOT, "data/fortunes/fortunes.jsonl.gz"), "\n".join(lines) + "\n")
    print(len(lines), "fortunes in", len(CATEGORIES), "categories")


def kjv():
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
    verses = [l for l in out.splitlines() if l.strip()]
    assert len(verses) == 31102, len(verses)
    write_gz(os.path.join(ROOT, "data/kjv/kjv.txt.gz"), "\n".join(verses) + "\n")


if __name__ == "__main__":
    fortunes()
    kjv()
