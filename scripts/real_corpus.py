#!/usr/bin/env python3
"""Writes a corpus of scraped-article text files made of real text, for benchmarks and fault runs.

    python3 scripts/real_corpus.py ../shared/devset OUT_DIR N [--seed S]
    python3 scripts/real_corpus.py ../shared/devset - N --jsonl | newsdb ingest --jsonl -

With `--jsonl` the same pages go to standard output as JSON Lines records (`title`, `date`, `url`
from the header, `text` the rest), the shape `newsdb ingest --jsonl` reads, for corpora too large
to keep as files (the 1M-record bench).

Nothing of the dev set is in the repository: it is read here, at generation time. Each of its real
page dumps (`naive/*.txt`) gives a site's real boilerplate: the lines above the article (menus,
share widgets, mastheads) and below it (related stories, comments, footers), found as the lines
before the first and after the last line of the page's expected article text (`truth/*.json`). Each
expected text gives real article paragraphs.

A file is a page of one of the dev set's sites: the 3-line header newsdb reads (title, date, URL on
that site), the boilerplate of one of that site's pages, and the paragraphs of one article. So a
site's boilerplate recurs over many files, as on a real crawl, and site learning has real lines to
learn. The mix follows the synthetic bench corpus (examples/gen_corpus.rs):

- 8% byte-identical copies of an earlier file;
- 5% whitespace and Unicode variants of an earlier file (CRLF, doubled spaces, NBSP, curly quotes);
- 5% the same article inside another page of the same site (other boilerplate);
- 4% near copies (one paragraph dropped, one sentence edited);
- the rest new pages: an article not used yet when there is one left, else a new mix of paragraphs.

Deterministic for a given dev set, N and seed.
"""

import argparse
import json
import os
import random
import sys
import urllib.parse


def load(devset):
    """Pages as (domain, head lines, tail lines, title, paragraphs)."""
    pages = []
    naive_dir = os.path.join(devset, "naive")
    for name in sorted(os.listdir(naive_dir)):
        stem = name[:-4]
        truth_path = os.path.join(devset, "truth", stem + ".json")
        if not name.endswith(".txt") or not os.path.exists(truth_path):
            continue
        with open(truth_path, encoding="utf-8") as f:
            truth = json.load(f)
        with open(os.path.join(naive_dir, name), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        if truth.get("header"):
            lines = lines[truth["header"].get("lines", 3):]
        body = [l.strip() for l in (truth.get("article_body") or "").split("\n") if l.strip()]
        if len(body) < 3 or not truth.get("url"):
            continue
        wanted = set(body)
        hits = [i for i, l in enumerate(lines) if l.strip() in wanted]
        if not hits:
            continue
        host = urllib.parse.urlparse(truth["url"]).hostname or ""
        domain = host[4:] if host.startswith("www.") else host
        if not domain:
            continue
        head = [l for l in lines[: hits[0]]]
        tail = [l for l in lines[hits[-1] + 1:]]
        title = (truth.get("title") or body[0])[:200]
        pages.append((domain, head, tail, title, body))
    return pages


def render(domain, n, title, date, head, paragraphs, tail):
    out = [title, date, f"https://www.{domain}/news/{n}"]
    out += head
    for p in paragraphs:
        out += [p, ""]
    out += tail
    return "\n".join(out) + "\n"


def variant(text, rng):
    """The same page with other spacing and Unicode forms."""
    kind = rng.randrange(3)
    if kind == 0:
        return text.replace("\n", "\r\n")
    if kind == 1:
        return text.replace(". ", ".  ").replace(" the ", " the\u00a0", 3)
    return text.replace('"', "\u201c", 1).replace("'", "\u2019")


def write_record(text):
    """A page as one JSON Lines record: its 3 header lines as fields, the rest as `text`."""
    title, date, url, body = (text.split("\n", 3) + ["", "", "", ""])[:4]
    record = {"title": title.rstrip("\r"), "date": date.rstrip("\r"), "url": url.rstrip("\r"), "text": body}
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("devset")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jsonl", action="store_true", help="records on stdout (OUT must be -)")
    args = ap.parse_args()
    if args.jsonl != (args.out == "-"):
        sys.exit("real_corpus.py: --jsonl writes to stdout: give - as OUT (and - only with --jsonl)")
    pages = load(args.devset)
    if not pages:
        sys.exit(f"{args.devset}: no dev-set pages with an article and a URL")
    rng = random.Random(args.seed)
    by_site = {}
    for i, p in enumerate(pages):
        by_site.setdefault(p[0], []).append(i)
    unused = list(range(len(pages)))
    rng.shuffle(unused)
    written = []  # (domain, title, date, paragraphs, text)
    for n in range(args.n):
        roll = rng.random()
        if written and roll < 0.08:
            text = rng.choice(written)[4]
        elif written and roll < 0.13:
            text = variant(rng.choice(written)[4], rng)
        elif written and roll < 0.18:
            domain, title, date, paragraphs, _ = rng.choice(written)
            page = pages[rng.choice(by_site[domain])]
            text = render(domain, n, title, date, page[1], paragraphs, page[2])
        elif written and roll < 0.22:
            domain, title, date, paragraphs, _ = rng.choice(written)
            paragraphs = list(paragraphs)
            if len(paragraphs) > 3:
                del paragraphs[rng.randrange(len(paragraphs))]
            i = rng.randrange(len(paragraphs))
            paragraphs[i] = paragraphs[i].replace(" ", " also ", 1)
            page = pages[rng.choice(by_site[domain])]
            text = render(domain, n, title, date, page[1], paragraphs, page[2])
        else:
            template = pages[rng.randrange(len(pages))]
            if unused:
                article = pages[unused.pop()]
                title, paragraphs = article[3], article[4]
            else:
                # Every article used: a new one from paragraphs of several.
                parts = [pages[rng.randrange(len(pages))][4] for _ in range(3)]
                paragraphs = [rng.choice(p) for p in parts for _ in range(2)]
                title = f"{template[3][:150]} ({n})"
            date = f"20{rng.randrange(10, 25)}{rng.randrange(1, 13):02}{rng.randrange(1, 29):02}"
            domain = template[0]
            text = render(domain, n, title, date, template[1], paragraphs, template[2])
            written.append((domain, title, date, paragraphs, text))
            if len(written) > 5000:
                written.pop(0)
        if args.jsonl:
            write_record(text)
            continue
        path = os.path.join(args.out, f"d{n % 100:02}", f"{n:07}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    what = "records" if args.jsonl else "files"
    print(
        f"{args.n} {what} from {len(pages)} pages of {len(by_site)} sites in {args.out}",
        file=sys.stderr if args.jsonl else sys.stdout,
    )


if __name__ == "__main__":
    main()
