"""Reading numbers from query strings without trusting them."""


def int_param(request, name: str, default: int | None = None, maximum: int = 2**62, source: str = "GET") -> int | None:
    """The query (or, with source="POST", form) parameter as a non-negative integer, or
    `default` for anything else: "x", "²" (a digit to str.isdigit, but no number), or a number
    too large for the database."""
    raw = getattr(request, source).get(name, "")
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return min(int(raw), maximum)
    return default
