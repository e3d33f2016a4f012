"""Every picture the README and the guides show is one the browser suite wrote from the code as it is now.

Runs after ``tests/test_pictures.py`` (which rewrites stale pictures outside CI), so under ``CI`` it judges the
pictures as committed: a change to the code that draws a picture, committed without the picture, fails here.
"""

from __future__ import annotations

import re

import pytest

from tests.pictures import IMAGES, PICTURES, ROOT, recorded, stale
from tests.test_docs import PAGES, links


def documented() -> set[str]:
    """Every picture under docs/images that README.md, README.zh.md or a guide links."""
    found = set()
    for page in PAGES:
        for target in links(page):
            path = (page.parent / target.partition("#")[0]).resolve()
            if path.suffix == ".png" and IMAGES in path.parents:
                found.add(path.relative_to(IMAGES).as_posix())
    return found


def test_every_linked_picture_is_one_the_suite_takes():
    assert documented() <= set(PICTURES), sorted(documented() - set(PICTURES))


def test_the_chinese_front_door_shows_chinese_pictures():
    text = (ROOT / "README.zh.md").read_text()
    shown = re.findall(r"docs/images/([\w/]+\.png)", text)
    assert shown and all(name.startswith("zh/") for name in shown), shown


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_the_picture_is_current(name):
    picture = PICTURES[name]
    assert picture.path.exists(), f"{name} is missing: run `python -m pytest tests/test_pictures.py` (outside CI)"
    assert picture not in stale(), (
        f"{name} is older than the code that draws it (recorded {recorded().get(name)}, now {picture.inputs_hash()}): "
        "run `python -m pytest tests/test_pictures.py` outside CI and commit docs/images"
    )


def test_a_changed_drawing_file_makes_its_picture_stale(tmp_path, monkeypatch):
    """The check can fail: the same picture, with one of its drawing files changed, is stale."""
    picture = PICTURES["gates.png"]
    before = picture.inputs_hash()
    fake_root = tmp_path
    for file in picture.files():
        target = fake_root / file.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    import tests.pictures as pictures

    monkeypatch.setattr(pictures, "ROOT", fake_root)
    assert picture.inputs_hash() == before
    (fake_root / "explorer/figures/gates.py").write_text("# changed\n", encoding="utf-8")
    assert picture.inputs_hash() != before
