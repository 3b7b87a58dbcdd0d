"""Money and JSON number types shared by the domain models."""

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""An exact decimal amount, written as a JSON number (money is never summed in floats)."""
