"""What makes a name look generated (CSS-in-JS hashes, framework ids): shared by the healer
(never proposes such a name) and the locator advice (flags it)."""

from __future__ import annotations

import re

# JavaScript-compatible (the healer sends it into the page): css-1x2y3z, sc-bdVaJa, jsx-123,
# ember123, :r1:, _a1b2c3, Button_primary__3xk2P, a run of hex or mixed letters and digits.
GENERATED = (
    r"^(css|sc|jsx|emotion|styled|ember|ng|svelte|mui|Mui[A-Za-z]*)-[A-Za-z0-9_]*\d[A-Za-z0-9_]*$"
    r"|^:r[0-9a-z]+:$|^(ember|ext-gen|yui_|gwt-uid-)\d+"
    r"|__[A-Za-z0-9]{5}$"
    r"|^[A-Za-z_-]*[0-9a-f]{6,}$"
    r"|^(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{8,}$"
    r"|\d{4,}"
)
_GENERATED = re.compile(GENERATED)


def looks_generated(name: str) -> bool:
    return bool(name) and bool(_GENERATED.search(name))
