"""Erlang B: blocking probability of a loss system and the channels a grade of service needs."""

from __future__ import annotations

MAX_CHANNELS = 10_000
MAX_TRAFFIC = 5_000.0


def erlang_b(n: int, a: float) -> float:
    """Blocking probability ``B(n, A)`` of ``n`` channels offered ``A`` Erlangs.

    Stable recurrence: ``B(0, A) = 1``, ``B(k, A) = A·B(k−1, A) / (k + A·B(k−1, A))``.

    >>> round(erlang_b(10, 4.461), 4)
    0.01
    >>> erlang_b(0, 3.0)
    1.0
    """
    if n < 0 or n > MAX_CHANNELS:
        raise ValueError(f"channels must be between 0 and {MAX_CHANNELS}")
    if a < 0 or a > MAX_TRAFFIC:
        raise ValueError(f"traffic must be between 0 and {MAX_TRAFFIC:g} Erlangs")
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def channels_for(a: float, gos: float = 0.01) -> int:
    """The fewest channels ``n`` with ``B(n, A) ≤ gos`` (0 when there is no traffic).

    >>> channels_for(4.461, 0.011)
    10
    """
    if not 0 < gos < 1:
        raise ValueError("grade of service must be between 0 and 1 (e.g. 0.01)")
    if a < 0 or a > MAX_TRAFFIC:
        raise ValueError(f"traffic must be between 0 and {MAX_TRAFFIC:g} Erlangs")
    if a == 0:
        return 0
    b = 1.0
    n = 0
    while b > gos:
        n += 1
        if n > MAX_CHANNELS:
            raise ValueError(f"more than {MAX_CHANNELS} channels needed")
        b = a * b / (n + a * b)
    return n
