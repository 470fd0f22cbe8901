"""Pelican plugin: party profiles (/parties/<统一社会信用代码>/ and its index.json) and the bulk check page.

Built from the build context's `published` alone (DESIGN §6, §6a): only live records, only parties with a
valid credit code that are not natural persons (publisher.site.parties). A profile is keyed by its
records' digests, so it is rendered again only when one of them changes; a profile no longer made (its
last record withdrawn) is removed by the page writer's finish(), like any page.
"""

from __future__ import annotations

import json
from typing import Any

from pelican import signals
from pelican.generators import Generator

from publisher.core.config import Config
from publisher.core.content import PublishedRecord
from publisher.core.rights import penalty_dates
from publisher.site.agencies import origin_object
from publisher.site.context import build_context
from publisher.site.parties import PARTY_RECORD_TYPES, Party, party_name
from publisher.site.party_index import CHECK_URL, INDEX_URL, MAX_LINES, index_files

DISPUTED = "异议"  # a penalty status: the party has objected, the record is being checked


def record_rights(record: PublishedRecord, config: Config) -> dict[str, Any]:
    """What a profile says of one record besides its fields: status, and a penalty's display and repair days."""
    status = record.values.get("status") or ""
    facts: dict[str, Any] = {"status": status, "disputed": status == DISPUTED}
    if record.type == "penalties":
        dates = penalty_dates(record.values, config.policy)
        facts |= {"display_end": dates.display_end.isoformat() if dates else "",
                  "repair_allowed": dates.repair_allowed if dates else True,
                  "earliest_repair": dates.earliest_repair.isoformat() if dates and dates.earliest_repair else ""}
    return facts


def profile_sections(party: Party, config: Config) -> list[dict[str, Any]]:
    """One section per record type that names parties, its live records newest first with their facts."""
    sections = []
    for type_key in PARTY_RECORD_TYPES:
        rows = [{"record": r, "party_name": party_name(r), **record_rights(r, config)}
                for r in party.records if r.type == type_key]
        sections.append({"type": type_key, "rows": rows})
    return sections


def profile_twin(party: Party, config: Config) -> str:
    """The profile as JSON: the same facts, each record's fields under the national field names."""
    base = config.site.url
    repair = config.policy.credit_repair
    records = {}
    for section in profile_sections(party, config):
        records[section["type"]] = [{
            "url": base + row["record"].url, "title": row["record"].title, "date": row["record"].date,
            "published": row["record"].published,
            **{k: v for k, v in row.items() if k not in ("record", "party_name")},
            **origin_object(row["record"]),
            "fields": {name: (list(v) if isinstance(v, tuple) else v) for name, v in row["record"].fields},
        } for row in section["rows"]]
    data = {"credit_code": party.credit_code, "names": list(party.names), "party_type": party.party_type,
            "url": base + party.url, "counts": party.counts, "records": records,
            "credit_repair": {"route": repair.route, "url": repair.url}}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


class PartiesGenerator(Generator):
    """Runs after the records generator, which puts content/ and the page writer in the build context."""

    def generate_output(self, writer: Any) -> None:
        build = build_context(self.settings)
        pages, config = build.pages, build.config
        parties = build.parties()

        def profile_key(party: Party) -> tuple[str, ...]:  # a profile is made from its records alone
            return tuple(r.digest for r in party.records)

        def write_profile(party: Party) -> None:
            key = profile_key(party)
            newest = max(r.published for r in party.records)
            # The sections read every record's fields (a penalty's dates): made only for a page that is rendered.
            sections = profile_sections(party, config) if pages.would_render(party.url, "party", key) else []
            pages.write(party.url, "party.html", lastmod=newest, key=key, party=party,
                        party_sections=sections, json_twin=True)
            pages.write_text(party.url + "index.json", lambda: profile_twin(party, config), key=key)

        stale = []
        for party in parties.values():  # judged once: an unchanged profile and twin are kept here, not re-checked
            key = profile_key(party)
            page, twin = pages.fingerprint("party", key), pages.fingerprint(party.url + "index.json", key)
            if pages.same(party.url, page) and pages.same(party.url + "index.json", twin):
                pages.keep(party.url, page, max(r.published for r in party.records))
                pages.keep(party.url + "index.json", twin)
            else:
                stale.append(party)
        pages.each(stale, write_profile)
        for url, text in index_files(parties).items():
            pages.write_text(url, text)
        pages.write(CHECK_URL, "party_check.html", index_url=INDEX_URL, max_lines=MAX_LINES,
                    party_count=len(parties))


def get_generators(pelican_object: Any) -> type[Generator]:
    return PartiesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
