"""Characters that show nothing but can change what text means or matches."""

from __future__ import annotations

import re

# Bidi overrides, isolates and marks, zero-width characters, the byte-order mark and the soft hyphen:
# invisible, and able to make one decision number look like another or reverse a title on screen.
INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
