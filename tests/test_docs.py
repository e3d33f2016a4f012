"""The front door and the guides: the README is short and starts with the two commands, and every relative link and
picture in README.md and docs/ leads somewhere (files, and headings for #anchors, as a code host renders them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "README.zh.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\bsrc=\"([^\"]+)\"")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)  # a '#' in a code block is no heading
    return {slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)
    return [a or b for a, b in LINK.findall(text)]


@pytest.mark.parametrize("name", ["README.md", "README.zh.md"])
def test_the_readme_is_a_front_door(name):
    lines = (ROOT / name).read_text().splitlines()
    assert len(lines) <= 150
    first_block = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert first_block[0].endswith("streamlit run app.py") and first_block[1].endswith("python -m pytest")
    assert any("docs/images/" in line for line in lines[:40])  # a picture on the first screen


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_picture_resolves(page):
    found = links(page)
    assert found or page.name != "README.md"
    for target in found:
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not ours to check here
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name}: {target}"
        if anchor:
            assert anchor in anchors(file), f"{page.name}: {target}"


def test_nothing_of_the_old_readme_was_lost():
    """Each section the README had now stands, whole, in a guide."""
    guides = "\n".join(p.read_text() for p in PAGES[3:])
    for heading in ("## The app", "## Inside one cell, one step at a time", "## In front of a class", "## 中文",
                    "## Your model in, everything out", "### Hostile files: checked, then fenced", "## Live training",
                    "## The engine", "## Deploy", "## A class on one server", "## Tests", "## Performance"):  # fmt: skip
        assert heading in guides, heading


APP_LINK = "http://localhost:8501/?"


def app_links(page: Path) -> list[str]:
    """The queries of a guide's links into the app (``http://localhost:8501/?…``)."""
    return [link[len(APP_LINK) :] for link in links(page) if link.startswith(APP_LINK)]


@pytest.mark.parametrize("guide", ["learning.md", "teaching.md"])
def test_every_link_into_the_app_is_a_query_it_understands(guide):
    from urllib.parse import parse_qs

    from explorer.view import ViewConfig

    queries = app_links(ROOT / "docs" / guide)
    assert len(queries) >= 10
    for query in queries:
        _view, notices = ViewConfig.from_query_params({k: v[0] for k, v in parse_qs(query).items()})
        assert notices == [], (query, notices)


def test_the_lesson_plans_links_each_open_the_step_they_name():
    from streamlit.testing.v1 import AppTest

    from explorer.lesson.steps import LESSON

    rows = [
        line for line in (ROOT / "docs" / "teaching.md").read_text().splitlines() if "](http://localhost:8501/?lesson=" in line
    ]
    assert len(rows) == len(LESSON)  # one row per step
    for k, row in enumerate(rows, start=1):
        query = app_links_in(row)
        assert query == f"lesson={k}&lecture=1", row
        title = LESSON[k - 1].title.replace("`", "")
        assert f"{k}. {title}" in row.replace("`", ""), (k, row)
        if k < len(LESSON):  # (the last step trains: the browser test walks it)
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.query_params.update({"lesson": str(k), "lecture": "1"})
            at.run()
            assert not at.exception and any(
                f"Lesson {k} of {len(LESSON)}: {LESSON[k - 1].title}" in m.value.replace("\xa0", " ") for m in at.markdown
            )


def app_links_in(line: str) -> str:
    (query,) = [m[len(APP_LINK) :] for m in re.findall(r"\((http://localhost:8501/\?[^)\s]+)\)", line)]
    return query
