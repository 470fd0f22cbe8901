"""Phone numbers and dates inside running text (issue 17), for the theme's filters.

A number written the Chinese way, such as 0999-1234567, (0999) 1234567, 138 0013 8000, 12345 or
0999-1234567转801, becomes a `tel:` link dialled with one tap; a date such as 2027-01-09 is kept on one
line (browsers may break a line after its hyphens). Pure text in, pieces out: the template escapes the
text; an href holds digits only.
"""

from __future__ import annotations

import re

# A run that starts and ends with a digit, may hold dashes, spaces and brackets, and may end in 转 and an extension.
_NUMBER = re.compile(r"\+?\(?\d[\d\-\s()（）]*\d(?:\s*转\s*\d{1,6})?")
_MIN_DIGITS, _MAX_DIGITS = 5, 15  # 12345 (hotline) … +86 and a 12-digit line


def tel_href(number: str) -> str | None:
    """`tel:` URL for one written number, or None when it is not a phone number."""
    main, _, extension = number.partition("转")
    digits = re.sub(r"\D", "", main)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    plus = "+" if main.lstrip().startswith("+") else ""
    extension = re.sub(r"\D", "", extension)
    return f"tel:{plus}{digits}" + (f",{extension}" if extension else "")  # "," waits, then dials the extension


def phone_parts(text: object) -> list[tuple[str, str | None]]:
    """Split a phone field into pieces: (number, tel: href) for each number, (text, None) between them."""
    if isinstance(text, (list, tuple)):
        text = "；".join(str(t) for t in text)
    text = "" if text is None else str(text)
    parts: list[tuple[str, str | None]] = []
    at = 0
    for match in _NUMBER.finditer(text):
        href = tel_href(match.group())
        if href is None:
            continue
        if match.start() > at:
            parts.append((text[at:match.start()], None))
        parts.append((match.group(), href))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], None))
    return parts


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_parts(text: object) -> list[tuple[str, bool]]:
    """Split text into pieces: (date, True) for each ISO date, (text, False) between them."""
    text = "" if text is None else str(text)
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in _DATE.finditer(text):
        if match.start() > at:
            parts.append((text[at:match.start()], False))
        parts.append((match.group(), True))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts
