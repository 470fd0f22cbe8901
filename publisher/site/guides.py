"""Guides and windows read together (issue 17): a guide's steps as a path with its time limits, the
window where it is done and the materials, and the names behind the codes that link guides, windows,
matters and officers.
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.core.content import PublishedRecord

# Words of a step the applicant does at the window: handing in, acceptance, collecting the result.
AT_WINDOW = ("窗口", "提交", "受理", "送达", "领取", "核发", "签发", "发证")


@dataclass(frozen=True)
class FlowStep:
    number: int
    text: str
    at_window: bool  # the applicant comes to the window for this step
    materials: tuple[str, ...] = ()  # what to bring, on the step where it is handed in
    clock_starts: bool = False  # the time limits count from this step (受理)
    last: bool = False


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None  # None: no page to link (an unknown code, or a name shared by two officers)
    code: str = ""


def guide_flow(guide: PublishedRecord) -> list[FlowStep]:
    """The guide's steps with what the flowchart adds: where each is done, what to bring, when the clock runs."""
    steps = _as_list(guide.value("steps"))
    materials = tuple(_as_list(guide.value("materials")))
    # The time limits count from acceptance (行政许可法第四十二条: 自受理之日起).
    accepted = next((i for i, s in enumerate(steps) if "受理" in s), 0)
    return [FlowStep(number=i + 1, text=s, at_window=i == 0 or any(w in s for w in AT_WINDOW),
                     materials=materials if i == 0 else (), clock_starts=i == accepted, last=i == len(steps) - 1)
            for i, s in enumerate(steps)]


class Windows:
    """The live windows, found as a guide names them ("CK-01 林业审批综合窗口" or "CK-01"), else the one that lists
    the guide: the first in the windows' order, as a scan of them finds it, in a few lookups (a page each)."""

    def __init__(self, windows: list[PublishedRecord]) -> None:
        self._by_code: dict[str, tuple[int, PublishedRecord]] = {}
        self._by_name: dict[str, tuple[int, PublishedRecord]] = {}
        self._by_guide: dict[str, PublishedRecord] = {}
        for i, window in enumerate(windows):
            for found, value in ((self._by_code, window.value("code")), (self._by_name, window.value("name"))):
                if isinstance(value, str):  # a code or name compares equal to a string only
                    found.setdefault(value, (i, window))
            for code in _as_list(window.value("guides")):
                self._by_guide.setdefault(code, window)

    def of(self, guide: PublishedRecord) -> PublishedRecord | None:
        named = str(guide.value("window") or "").strip()
        code = named.split()[0] if named else ""
        hits = [hit for hit in (self._by_code.get(code) if code else None,
                                self._by_name.get(named) if named else None) if hit]
        if hits:
            return min(hits, key=lambda hit: hit[0])[1]
        guide_code = guide.value("code")
        return self._by_guide.get(guide_code) if isinstance(guide_code, str) else None


def guide_links(guide: PublishedRecord, windows: Windows,
                matters: dict[str, PublishedRecord]) -> dict[str, list[Link]]:
    """A guide's 窗口 and 权责事项编码 as the names of the pages they point to."""
    links: dict[str, list[Link]] = {}
    if window := windows.of(guide):
        links["window"] = [Link(window.title, window.url, str(window.value("code")))]
    code = str(guide.value("matter_code") or "")
    if matter := matters.get(code):
        links["matter_code"] = [Link(matter.title, matter.url, code)]
    return links


def officers_by_name(officers: list[PublishedRecord]) -> dict[str, list[PublishedRecord]]:
    """The live officers by name, once per build: each window's staff are looked up in it."""
    by_name: dict[str, list[PublishedRecord]] = {}
    for officer in officers:
        by_name.setdefault(str(officer.value("name")), []).append(officer)
    return by_name


def window_links(window: PublishedRecord, guides: dict[str, PublishedRecord],
                 officers: dict[str, list[PublishedRecord]]) -> dict[str, list[Link]]:
    """A window's 办理事项 as guide names and its staff as links to their officer pages (`officers_by_name`)."""
    handled = []
    for code in _as_list(window.value("guides")):
        guide = guides.get(code)
        handled.append(Link(guide.title, guide.url, code) if guide else Link(code))
    staff = []
    for person in _as_list(window.value("staff")):
        name = person.split("（")[0].split("(")[0].strip()
        same = officers.get(name, [])
        staff.append(Link(person, same[0].url if len(same) == 1 else None))  # two of one name: link neither
    return {"guides": handled, "staff": staff}


def _as_list(value: object) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
