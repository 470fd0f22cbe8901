"""The site's URL scheme (DESIGN §2): a record at /<type>/<slug>/, and the site's own pages beside it.

Declared here, in the core, so that pull can refuse a record whose slug would take a site page's
address (an officer with id `verify` would hide the certificate check), and the site builds its
pages at exactly these addresses.
"""

from __future__ import annotations

LIST_PAGE = "page"  # /<type>/page/<n>/: a list's archive pages
LIST_YEAR = "year"  # /<type>/year/<yyyy>/: a list filtered by year
LIST_DEPARTMENT = "dept"  # /<type>/dept/<hash>/: a list filtered by department
LIST_AGENCY = "agency"  # /<type>/agency/<key>/: on a unified platform, a list filtered by publishing agency
OFFICER_CHECK = "verify"  # /officers/verify/: check a certificate number
RANDOM_INSPECTION_LIST = "random-inspection"  # /matters/random-inspection/: the 双随机 item list
_TYPE_PAGES = {"officers": (OFFICER_CHECK,), "matters": (RANDOM_INSPECTION_LIST,)}


def record_url(type_key: str, slug: str) -> str:
    """Site-relative URL of a record's page."""
    return f"/{type_key}/{slug}/"


def type_page_url(type_key: str, name: str) -> str:
    """A site page that lives among a type's records (e.g. /officers/verify/)."""
    assert name in reserved_slugs(type_key), name
    return f"/{type_key}/{name}/"


def reserved_slugs(type_key: str) -> frozenset[str]:
    """Slugs no record of this type may have: the site's own pages under /<type>/."""
    return frozenset((LIST_PAGE, LIST_YEAR, LIST_DEPARTMENT, LIST_AGENCY, *_TYPE_PAGES.get(type_key, ())))
