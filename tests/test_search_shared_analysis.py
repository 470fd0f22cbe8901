"""One analysis for both indexes: the service index built by a site build takes each document's keys from the
static index's cache, and answers exactly as an index whose every document was analysed afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.core.content import load_published
from publisher.site.parties import collect_parties
from publisher.site.search import store
from publisher.site.search.analysis import parse_query
from publisher.site.search.documents import SiteDocuments, profile_docs, search_docs, site_documents
from publisher.site.search.matching import doc_terms
from publisher.site.search.static import cache_file
from publisher.site.search.static_docs import StoredTerms
from tests.test_search import query_suite


def _documents(published: dict) -> SiteDocuments:
    return site_documents(published, profile_docs(collect_parties(published)))


@pytest.mark.parametrize("backend", ["whoosh", "tantivy"])
def test_the_built_service_index_answers_as_one_analysed_afresh(sample_site, tmp_path: Path, backend: str) -> None:
    published = load_published(sample_site.config.paths.content)
    docs = search_docs(published)
    engine = store.default_backend(backend)
    fresh_path, known_path = tmp_path / "afresh", tmp_path / "known"
    fresh_path.mkdir()
    known_path.mkdir()
    engine.build(docs, fresh_path)  # every document analysed now
    known = StoredTerms(cache_file(sample_site.config.paths.state), _documents(published))
    try:
        assert all(known(d) is not None for d in docs), "the build's static cache holds every document"
        engine.build(docs, known_path, known)
    finally:
        known.close()
    fresh, cached = engine.open(fresh_path), engine.open(known_path)
    try:
        queries = [q for _, q in query_suite(docs)]
        assert len(queries) > 50
        for q in queries:
            a, b = fresh.search(parse_query(q), page_size=1000), cached.search(parse_query(q), page_size=1000)
            assert (a.total, a.facets, a.hits) == (b.total, b.facets, b.hits), q
    finally:
        fresh.close()
        cached.close()


def test_a_document_whose_digest_moved_is_analysed_again(sample_site) -> None:
    published = load_published(sample_site.config.paths.content)
    docs = search_docs(published)
    documents = _documents(published)
    record = next(d for d in docs if d.type == "penalties")
    moved = SiteDocuments(documents.keys, ["0" * 64 if key == record.key else digest
                                           for key, digest in zip(documents.keys, documents.digests, strict=True)],
                          documents.urls, documents.make, documents.records_from)
    known = StoredTerms(cache_file(sample_site.config.paths.state), moved)
    try:
        assert known(record) is None  # a corrected record's old keys are never used for its new text
        other = next(d for d in docs if d.type == "permits")
        assert known(other) == " ".join(sorted(doc_terms(other)))
    finally:
        known.close()
    missing = StoredTerms(sample_site.config.paths.state / "no-such-cache.sqlite", documents)
    assert missing(record) is None
