#!/usr/bin/env python3
"""Writes a folder of saved HTML pages made of real pages, for the HTML ingest benchmark.

    python3 scripts/html_corpus.py ../shared/devset OUT_DIR N [--seed S]

Nothing of the dev set is in the repository: its pages (`html/*.html.gz`, real news and blog pages
as their sites served them) are read here, at generation time. N files, in folders of 1,000:

- the dev set's pages, each once, in a shuffled order (as long as N allows);
- then, to reach N: 10% byte-identical copies of an earlier file (a re-crawl that changed nothing),
  and 90% an earlier page with a new comment before `</body>` (a re-crawl whose page changed only in
  its markup: every byte is read, parsed and extracted again, and the article is the same one).

So the corpus is real-sized, real-text HTML, and most of the work is what a crawl's re-fetches cost.
Deterministic for a given dev set, N and seed.
"""

import argparse
import gzip
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("devset")
    parser.add_argument("out")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    html_dir = os.path.join(args.devset, "html")
    names = sorted(n for n in os.listdir(html_dir) if n.endswith(".html.gz"))
    rng.shuffle(names)
    pages = []
    for name in names[: args.n]:
        with gzip.open(os.path.join(html_dir, name), "rb") as f:
            pages.append(f.read())
    written = []
    for i in range(args.n):
        if i < len(pages):
            data = pages[i]
        elif rng.random() < 0.10:
            data = rng.choice(written)
        else:
            page = rng.choice(pages)
            comment = b"<!-- fetched again: %d -->" % i
            at = page.rfind(b"</body>")
            data = page[:at] + comment + page[at:] if at >= 0 else page + comment
        folder = os.path.join(args.out, "%03d" % (i // 1000))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "%06d.html" % i), "wb") as f:
            f.write(data)
        written.append(data)
    total = sum(len(d) for d in written)
    print(f"{args.n} HTML files ({total / 1e6:.0f} MB) from {len(pages)} real pages in {args.out}")


if __name__ == "__main__":
    main()
