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


def window_of(guide: PublishedRecord, windows: list[PublishedRecord]) -> PublishedRecord | None:
    """The window a guide names ("CK-01 林业审批综合窗口" or "CK-01"), else the one that lists the guide."""
    named = str(guide.value("window") or "").strip()
    code = named.split()[0] if named else ""
    for window in windows:
        if (code and window.value("code") == code) or (named and window.value("name") == named):
            return window
    return next((w for w in windows if guide.value("code") in _as_list(w.value("guides"))), None)


def guide_links(guide: PublishedRecord, windows: list[PublishedRecord],
                matters: dict[str, PublishedRecord]) -> dict[str, list[Link]]:
    """A guide's 窗口 and 权责事项编码 as the names of the pages they point to."""
    links: dict[str, list[Link]] = {}
    if window := window_of(guide, windows):
        links["window"] = [Link(window.title, window.url, str(window.value("code")))]
    code = str(guide.value("matter_code") or "")
    if matter := matters.get(code):
        links["matter_code"] = [Link(matter.title, matter.url, code)]
    return links


def window_links(window: PublishedRecord, guides: dict[str, PublishedRecord],
                 officers: list[PublishedRecord]) -> dict[str, list[Link]]:
    """A window's 办理事项 as guide names and its staff as links to their officer pages."""
    by_name: dict[str, list[PublishedRecord]] = {}
    for officer in officers:
        by_name.setdefault(str(officer.value("name")), []).append(officer)
    handled = []
    for code in _as_list(window.value("guides")):
        guide = guides.get(code)
        handled.append(Link(guide.title, guide.url, code) if guide else Link(code))
    staff = []
    for person in _as_list(window.value("staff")):
        name = person.split("（")[0].split("(")[0].strip()
        same = by_name.get(name, [])
        staff.append(Link(person, same[0].url if len(same) == 1 else None))  # two of one name: link neither
    return {"guides": handled, "staff": staff}


def _as_list(value: object) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
