"""The Python package gives the records the command line gives, on the seeds and the dev set's pages.

Run from a fresh clone (README: "Past one machine"):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install './python[test]'
    cargo build && /tmp/venv/bin/pytest python/tests

The command line is `target/debug/newsdb` (or `$NEWSDB_BIN`). The dev set (`../shared/devset`,
outside the repository) is optional: without it those tests skip, and fail under CI (`CI=true`).
"""

import base64
import concurrent.futures
import gzip
import json
import os
import pathlib
import subprocess

import pytest

import newsdb

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
DEVSET = ROOT.parent / "shared" / "devset"


def cli():
    explicit = os.environ.get("NEWSDB_BIN")
    if explicit:
        return explicit
    built = [ROOT / "target" / p / "newsdb" for p in ("debug", "release")]
    built = [b for b in built if b.exists()]
    if not built:
        pytest.fail("no newsdb binary: run `cargo build` first (or set NEWSDB_BIN)")
    return str(max(built, key=lambda b: b.stat().st_mtime))


def cli_prepare(lines):
    """`newsdb prepare` of these input lines (dicts or JSON strings): its records, in order."""
    text = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines)
    out = subprocess.run(
        [cli(), "prepare"], input=text.encode(), capture_output=True, check=False
    )
    assert out.returncode in (0, 3), out.stderr.decode()
    return [json.loads(l) for l in out.stdout.decode().splitlines()]


def file_line(path, data):
    return {"path": path, "file_base64": base64.b64encode(data).decode()}


def devset_or_skip():
    if DEVSET.is_dir():
        return DEVSET
    if os.environ.get("CI") == "true":
        pytest.fail(f"{DEVSET} is missing, and CI needs it")
    pytest.skip(f"{DEVSET} is missing (the dev set lives outside the repository)")


def test_seeds_clean_as_the_command_line_cleans_them(tmp_path):
    for seed in SEEDS:
        out = subprocess.run(
            [cli(), "--db", str(tmp_path / "none.db"), "clean", "--json", str(seed)],
            capture_output=True,
            check=True,
        )
        assert newsdb.clean(seed.read_text(encoding="utf-8")) == json.loads(out.stdout), seed


def test_seed_files_prepare_as_the_command_line_prepares_them():
    expected = cli_prepare(file_line(str(s), s.read_bytes()) for s in SEEDS)
    got = [newsdb.prepare_file(s.read_bytes(), str(s)) for s in SEEDS]
    assert got == expected
    assert all("rejected" not in r and r["content_hash"] for r in got)
    assert got[0]["cleaner_version"] == newsdb.CLEANER_VERSION


def test_an_article_with_fields_is_the_json_lines_record_of_them():
    text = SEEDS[0].read_text(encoding="utf-8").split("\n", 3)[3]
    record = newsdb.prepare(
        text, url="https://gazette.example/a", title="A headline", date="January 18, 2022"
    )
    assert (record["title"], record["published"], record["domain"]) == (
        "A headline",
        "2022-01-18",
        "gazette.example",
    )
    assert len(record["band_keys"]) == 16
    # What the command line makes of the very same line.
    assert cli_prepare([record["raw"]]) == [record]


def test_text_that_makes_no_document_is_a_rejected_record_or_an_error():
    record = newsdb.prepare("   ")
    assert record["rejected"]["code"] in ("empty", "no-text"), record
    assert "body" not in record
    with pytest.raises(ValueError):
        newsdb.clean("")


def test_threads_share_the_stage():
    texts = [s.read_bytes() for s in SEEDS] * 8
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: newsdb.prepare_file(t, "a.txt")["content_hash"], texts))
    assert got == [newsdb.prepare_file(t, "a.txt")["content_hash"] for t in texts]


def test_dev_set_pages_prepare_as_the_command_line_prepares_them():
    devset = devset_or_skip()
    # Every 10th text dump and every 10th saved page: about 300 and 170 real pages.
    dumps = sorted((devset / "naive").glob("*.txt"))[::10]
    pages = sorted((devset / "html").glob("*.html.gz"))[::10]
    sources = [(str(p), p.read_bytes()) for p in dumps]
    sources += [(str(p)[: -len(".gz")], gzip.decompress(p.read_bytes())) for p in pages]
    expected = cli_prepare(file_line(path, data) for path, data in sources)
    got = [newsdb.prepare_file(data, path) for path, data in sources]
    assert len(got) == len(expected) > 400
    for g, e in zip(got, expected):
        assert g == e, g["path"]
    assert sum(1 for r in got if r.get("extractor")) > 100
