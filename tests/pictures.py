"""The pictures in README.md, README.zh.md and docs/: what each shows, the code that draws it, and whether it is current.

Each picture records, in ``docs/images/pictures.json``, a hash of its inputs (the query that opens it, the window,
and the source files that draw it) as they were when the browser suite wrote it. A picture is *stale* when that hash
differs from the inputs' hash now: ``tests/test_pictures.py`` writes it again (outside CI), and
``tests/test_pictures_current.py`` fails on a stale or missing one, naming the files that changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
MANIFEST = IMAGES / "pictures.json"

# Drawn on every picture: the page's frame, its sidebar and its style.
FRAME = ("app.py", "explorer/ui/page.py", "explorer/ui/chrome.py", "explorer/ui/sidebar.py", "explorer/figures/style.py")
CHINESE = ("explorer/i18n/locales/zh/LC_MESSAGES/messages.po",)
SERIES_SAMPLE = "task=series:51912f745a91%3Bin%3Drentals%2Ctemperature_c%3By%3Drentals%3Bh%3D1%3Btrain%3D80" \
    "%3Bscale%3Dstandard%3Bseason%3D7%3Bgaps%3Drefuse"  # fmt: skip


@dataclass(frozen=True)
class Picture:
    """One documented picture: how the browser opens it and which files draw it.

    Attributes:
        name: its file under ``docs/images`` (``zh/`` for the Chinese front door's).
        query: the URL query that opens the page it shows.
        flow: what the browser does after opening: ``""`` (nothing), ``"train"``, ``"upload"``, or ``"count"``
            (the lesson's trained model: open its counting unit in the cell view).
        inputs: source files (globs from the project's root) that draw it, besides the frame.
        size: the window, width × height.
        scroll: what to bring into view before the shot: ``"plot:<view>"`` for a chart, else a CSS selector.
    """

    name: str
    query: str
    flow: str
    inputs: tuple[str, ...]
    size: tuple[int, int] = (1280, 800)
    scroll: str = ""

    @property
    def lang(self) -> str:
        return "zh" if self.name.startswith("zh/") else "en"

    @property
    def path(self) -> Path:
        return IMAGES / self.name

    def files(self) -> list[Path]:
        """Every file that draws this picture, sorted."""
        patterns = (*FRAME, *self.inputs, *(CHINESE if self.lang == "zh" else ()))
        return sorted({f for pattern in patterns for f in ROOT.glob(pattern) if f.is_file()})

    def inputs_hash(self) -> str:
        """A hash of what makes the picture: the query, the window and every drawing file's bytes."""
        digest = hashlib.sha256(f"{self.query}|{self.flow}|{self.size}|{self.scroll}".encode())
        for file in self.files():
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()[:16]


def _both(name: str, query: str, flow: str, inputs: tuple[str, ...], **more) -> list[Picture]:
    """The picture for the README and its twin for README.zh.md (``zh/``), the same page in Chinese."""
    return [Picture(name, query, flow, inputs, **more), Picture("zh/" + name, query + "&lang=zh", flow, inputs, **more)]


UNROLLED = ("explorer/figures/unrolled*.py", "explorer/figures/marks.py")
CELL = ("explorer/figures/cell.py", "explorer/cell/*.py", "explorer/ui/cell_view.py")
TRAINING = ("explorer/figures/training.py", "explorer/ui/training*.py", "explorer/training/*.py")
REAL = ("explorer/figures/model_map.py", "explorer/figures/bidirectional.py", "explorer/ui/real_model.py")
REAL_SLIDERS = "input=tokens&vocab=25&embed_dim=8&units=8,6&return_sequences=1,0&timesteps=10&bidirectional=1,1"
SERIES = ("explorer/figures/forecast.py", "explorer/ui/yourdata*.py", "explorer/yourdata/*.py")
WHY = ("explorer/figures/why*.py", "explorer/ui/why*.py", "explorer/ui/cache/why.py", "explorer/whygates/*.py")
TEXT = ("explorer/ui/yourtext.py", "explorer/yourdata/text.py", "explorer/yourdata/generate.py")

PICTURES: dict[str, Picture] = {
    p.name: p
    for p in [
        *_both(
            "counting.png",
            "lesson=12",
            "count",
            ("explorer/lesson/*.py", "explorer/ui/lesson.py", *CELL, *TRAINING),
            scroll="plot:cell",
        ),
        *_both("graph.png", "view=graph", "", UNROLLED),
        *_both("cell.png", "view=cell&step=5", "", CELL),
        *_both("shapes.png", "view=shapes", "", ("explorer/figures/shapes.py",)),
        *_both("gates.png", "view=gates", "", ("explorer/figures/gates.py",)),
        *_both("training.png", "task=brackets&epochs=15&view=training", "train", TRAINING),
        *_both(
            "lecture.png",
            "view=graph&lecture=1&step=5",
            "",
            ("explorer/figures/lecture.py", "explorer/ui/lecture.py", *UNROLLED),
            size=(1920, 1080),
        ),
        *_both("why.png", "task=first&timesteps=30&units=16&return_sequences=0&view=why", "", WHY, scroll="plot:why"),
        *_both("own_model.png", "view=graph", "upload", ("explorer/ui/upload*.py", "explorer/upload/*.py")),
        *_both("real_model.png", REAL_SLIDERS + "&view=graph", "", REAL, scroll="svg[data-view=model_map]"),
        *_both("your_series.png", SERIES_SAMPLE + "&view=training", "train", SERIES, scroll="plot:forecast"),
        *_both(
            "your_text.png",
            "task=text:f2feccb1172f&view=training&epochs=2",
            "train",
            TEXT,
            scroll="[data-testid=stCode]",
            size=(1280, 900),
        ),
    ]
}


def recorded() -> dict[str, str]:
    """The inputs' hash each picture was written with."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def stale() -> list[Picture]:
    """The pictures that are missing, or were written from inputs that have changed since."""
    hashes = recorded()
    return [p for p in PICTURES.values() if not p.path.exists() or hashes.get(p.name) != p.inputs_hash()]


def publish(picture: Picture, png: Path) -> bool:
    """Put a freshly taken screenshot in place of a stale picture and record its inputs; a current one is left alone.

    Returns:
        Whether the picture in ``docs/images`` was written.
    """
    if picture not in stale():
        return False
    picture.path.parent.mkdir(parents=True, exist_ok=True)
    picture.path.write_bytes(png.read_bytes())
    hashes = recorded()
    hashes[picture.name] = picture.inputs_hash()
    MANIFEST.write_text(json.dumps(dict(sorted(hashes.items())), indent=1) + "\n")
    return True
